/**
 * The native open/save dialog behind `files:pick`: a thin wire to Electron's `dialog`. What the chosen path may be, and
 * the grant, are decided in electron/host/fileAccess.ts (plain Node, tested); the filters come from there too.
 */
import { dialog, type BrowserWindow } from "electron";
import { FILE_DIALOG_FILTERS, type FilePicker } from "../host/fileAccess.ts";

const TITLES = { dataset: "Choose a dataset to import", model: "Choose a .gguf model to import", export: "Export labels and results" } as const;

/** `window()`: the window to attach the dialog to (it may not exist yet when AppHost is made). */
export function nativeFilePicker(window: () => BrowserWindow | undefined): FilePicker {
  return async ({ purpose, suggestedName }) => {
    const parent = window();
    const filters = FILE_DIALOG_FILTERS[purpose];
    if (purpose === "export") {
      const options = { title: TITLES.export, filters, ...(suggestedName ? { defaultPath: suggestedName } : {}) };
      const saved = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return saved.canceled ? undefined : saved.filePath;
    }
    const options = { title: TITLES[purpose], filters, properties: ["openFile" as const] };
    const opened = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return opened.canceled ? undefined : opened.filePaths[0];
  };
}
