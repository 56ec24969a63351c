/**
 * The one window: locked down (Electron security checklist #3, #4: context isolation, sandbox, no Node in the page) and
 * reopened at the size and place the user left it, when that place is still on a screen.
 */
import { BrowserWindow, screen, type Rectangle } from "electron";
import { readFileSync, writeFileSync } from "node:fs";

interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const DEFAULT_SIZE = { width: 1280, height: 860 };
const MIN_SIZE = { width: 800, height: 560 };

export function createMainWindow(options: { preload: string; stateFile: string }): BrowserWindow {
  const saved = readWindowState(options.stateFile);
  const window = new BrowserWindow({
    ...(saved ? saved.bounds : DEFAULT_SIZE),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: "Guardbench",
    show: false,
    backgroundColor: "#ffffff",
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (saved?.maximized) window.maximize();
  window.once("ready-to-show", () => window.show());
  // Saved on close rather than on every resize: one small write, and a crash merely forgets the last move.
  window.on("close", () => writeWindowState(options.stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() }));
  return window;
}

function readWindowState(file: string): WindowState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as Partial<WindowState>;
    const bounds = state.bounds;
    const valid =
      bounds !== undefined &&
      [bounds.x, bounds.y, bounds.width, bounds.height].every((n) => Number.isInteger(n)) &&
      bounds.width >= MIN_SIZE.width &&
      bounds.height >= MIN_SIZE.height;
    if (!valid || !isVisibleOnSomeDisplay(bounds)) return undefined;
    return { bounds, maximized: state.maximized === true };
  } catch {
    return undefined; // first start, or a damaged file: open at the default size
  }
}

function writeWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state));
  } catch (error) {
    console.warn(`guardbench: could not remember the window size in ${file}: ${(error as Error).message}`);
  }
}

/** A monitor unplugged since last time must not leave the window off-screen. */
function isVisibleOnSomeDisplay(bounds: Rectangle): boolean {
  return screen.getAllDisplays().some(({ workArea }) => {
    const overlapX = Math.min(bounds.x + bounds.width, workArea.x + workArea.width) - Math.max(bounds.x, workArea.x);
    const overlapY = Math.min(bounds.y + bounds.height, workArea.y + workArea.height) - Math.max(bounds.y, workArea.y);
    return overlapX >= 100 && overlapY >= 100;
  });
}
