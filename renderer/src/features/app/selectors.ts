import type { AppState } from "../../store/types.ts";

export const appSelectors = {
  screen: (s: AppState) => s.app.screen,
  helpOpen: (s: AppState) => s.app.helpOpen,
  connection: (s: AppState) => s.app.connection,
  notice: (s: AppState) => s.app.notice,
  fileChooser: (s: AppState) => s.app.fileChooser,
};
