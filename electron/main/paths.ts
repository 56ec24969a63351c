/**
 * Where the desktop app finds its parts and keeps its data. The bundle (dist/electron-main.js) sits beside the preload,
 * the engine worker and the renderer build, in the app folder or app.asar; user data goes to `userData` (or
 * GUARDBENCH_HOME), never the app folder.
 */
import { app } from "electron";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { guardbenchHome } from "../models/paths.ts";

const distDir = dirname(fileURLToPath(import.meta.url));

export const appPaths = {
  preload: join(distDir, "electron-preload.cjs"),
  engineWorker: join(distDir, "engine-worker.js"),
  rendererDir: join(distDir, "renderer"),
  /** GUARDBENCH_HOME when set (tests, a bigger drive), else Electron's userData folder */
  home: (): string => guardbenchHome({ ...process.env, GUARDBENCH_HOME: process.env.GUARDBENCH_HOME?.trim() || app.getPath("userData") }),
  windowState: (): string => join(app.getPath("userData"), "window-state.json"),
};

/** The page's origin: a privileged custom scheme instead of file:// (Electron security checklist #18). */
export const APP_SCHEME = "guardbench";
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
