/** Renders a container inside the store provider, the way main.tsx does. */
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { StoreProvider, type AppStore } from "../../../renderer/src/store/index.ts";

export function renderWithStore(store: AppStore, element: ReactElement): RenderResult {
  return render(<StoreProvider store={store}>{element}</StoreProvider>);
}
