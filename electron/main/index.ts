/**
 * The desktop app's entry: one instance, one locked-down window, AppHost on IPC, the engine in a utilityProcess.
 * Everything with a decision in it lives in electron/host (plain Node, tested); this folder only wires Electron to it.
 *
 * electron/main (with electron/preload) is the only folder that imports `electron`. May import: host/ (AppHost),
 * engine/ (the worker in a utilityProcess), models/ (the models folder, the token store) and endpoints/ (the
 * key store: both sealed with safeStorage), store/, core/ (disposers). Nothing imports it: it is the desktop app's entry.
 */
import { app, dialog, type BrowserWindow } from "electron";
import { createAppHost, type RunningHost } from "../host/createAppHost.ts";
import { modelFilesIn, OpenRequestQueue } from "../host/openRequests.ts";
import { rendererProblem } from "../host/staticFiles.ts";
import { StoreError } from "../store/index.ts";
import { utilityProcessSpawner } from "./engine.ts";
import { nativeFilePicker } from "./fileDialog.ts";
import { connectIpc } from "./ipc.ts";
import { installApplicationMenu } from "./menu.ts";
import { APP_ENTRY_URL, appPaths } from "./paths.ts";
import { registerAppScheme, serveRenderer } from "./protocol.ts";
import { denyAllPermissions, installSecurityPolicies } from "./security.ts";
import { createSecretStore, createTokenStore } from "./tokenStore.ts";
import { createMainWindow } from "./window.ts";

let mainWindow: BrowserWindow | undefined;
/** `.gguf` files the OS asked us to open, until AppHost exists: macOS sends them before the app is ready. */
const openRequests = new OpenRequestQueue();
openRequests.add(modelFilesIn(process.argv.slice(1), process.cwd()));

if (!app.requestSingleInstanceLock()) {
  // Another Guardbench owns the database and the engine; it gets focused by its second-instance handler.
  app.quit();
} else {
  registerAppScheme();
  installSecurityPolicies();
  app.on("open-file", (event, path) => {
    event.preventDefault();
    openRequests.add(modelFilesIn([path], process.cwd()));
  });
  app.on("second-instance", (_event, argv, workingDirectory) => {
    openRequests.add(modelFilesIn(argv.slice(1), workingDirectory));
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on("window-all-closed", () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => fail("Guardbench could not start", error instanceof Error ? (error.stack ?? error.message) : String(error)));
}

function start(): void {
  denyAllPermissions();
  const missingRenderer = rendererProblem(appPaths.rendererDir);
  if (missingRenderer) return fail("Guardbench is not built", missingRenderer);

  const home = appPaths.home();
  let running: RunningHost;
  try {
    running = createAppHost({
      home,
      env: process.env,
      transport: "electron",
      electronVersion: process.versions.electron,
      spawnWorker: utilityProcessSpawner(appPaths.engineWorker),
      tokenStore: createTokenStore(home),
      secretStore: createSecretStore(home),
      pickFile: nativeFilePicker(() => mainWindow),
      protectedFiles: [appPaths.windowState()],
      // Set by `npm start` only: a packaged app's better-sqlite3 is rebuilt for Electron by electron-builder.
      ...(process.env.GUARDBENCH_SQLITE_BINDING ? { sqliteNativeBinding: process.env.GUARDBENCH_SQLITE_BINDING } : {}),
    });
  } catch (error) {
    if (error instanceof StoreError) return fail("Guardbench cannot open its database", `${error.message}\n\n${error.hint ?? ""}`);
    throw error;
  }

  for (const note of running.notes) console.warn(`guardbench: ${note}`);
  const stopServingRenderer = serveRenderer(appPaths.rendererDir);
  installApplicationMenu();
  const window = createMainWindow({ preload: appPaths.preload, stateFile: appPaths.windowState() });
  mainWindow = window;
  const disconnectIpc = connectIpc(window, running.host);
  // AppHost keeps them until the page asks (models:open-requests), so none is lost while the page loads.
  openRequests.attach((path) => running.host.requestModelOpen(path));
  window.on("closed", () => {
    disconnectIpc();
    mainWindow = undefined;
  });
  app.once("will-quit", () => {
    stopServingRenderer();
    running.dispose();
  });
  void window.loadURL(APP_ENTRY_URL);
}

function fail(title: string, detail: string): void {
  dialog.showErrorBox(title, detail);
  app.exit(1);
}
