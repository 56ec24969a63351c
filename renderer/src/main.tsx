/** Entry point: pick the transport, build the store, start listening to the main side, render. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { pickBridge } from "./bridge/index.ts";
import { AppShell } from "./features/app/AppShell.tsx";
import { selectionStorage } from "./features/app/rememberedSelection.ts";
import { browserEffects, createAppStore, StoreProvider } from "./store/index.ts";
import "./styles.css";

const bridge = pickBridge(window);
const store = createAppStore(bridge, browserEffects(), { storage: selectionStorage() });
const stop = store.getState().start();
window.addEventListener("pagehide", (event) => {
  // A page kept in the back/forward cache comes back as it was; only a real unload ends the connection.
  if (event.persisted) return;
  stop();
  bridge.dispose();
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <AppShell />
    </StoreProvider>
  </StrictMode>,
);
