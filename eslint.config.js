// The folder is the layer (ARCHITECTURE.md, "Layers and who may import whom").
// One entry per folder: ESLint's flat config replaces, not merges, a rule set twice for one file.
// test/unit/eslint.config.test.ts proves each entry bites.
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layersPlugin } from "./eslint-layers.mjs";

const ban = {
  node: { group: ["node:*", ...builtinModules, ...builtinModules.map((m) => `${m}/*`)], message: "no Node built-ins in this layer" },
  electron: { group: ["electron", "electron/*"], message: "only electron/main and electron/preload import electron" },
  ui: { group: ["react", "react-dom", "react/*", "react-dom/*", "zustand", "zustand/*"], message: "no React or UI state outside renderer/" },
  llama: { group: ["node-llama-cpp", "node-llama-cpp/*"], message: "only electron/engine imports node-llama-cpp (native code stays in the engine process)" },
  mainLibs: { group: ["node-llama-cpp", "node-llama-cpp/*", "better-sqlite3", "ws"], message: "main-side libraries stay on the main side" },
  renderer: { group: ["**/renderer/**"], message: "the main side never imports renderer code" },
  mainSide: { group: ["**/electron/**"], message: "this layer imports only shared/ (types come from shared/ipc)" },
  shell: { group: ["**/main/**", "**/preload/**"], message: "plain-Node layers must not import the Electron shell" },
  engine: { group: ["**/engine/**"], message: "models/ never imports engine/ (it loads native code); GGUF headers come from electron/gguf" },
  // From electron/gguf/x.ts, "../x" is another electron/ folder; shared/ is "../../shared/…".
  ggufLeaf: { regex: "^\\.\\./[^./]", message: "electron/gguf is a leaf: it imports only Node and shared/, the other layers build on it" },
  ggufEntry: { group: ["**/gguf/*", "!**/gguf/index.ts"], message: "import electron/gguf through its entry, electron/gguf/index.ts" },
  coreLibs: { group: ["node-llama-cpp", "node-llama-cpp/*", "better-sqlite3", "ws"], message: "electron/core is the plumbing every main-side folder shares: no native or server libraries (they belong to engine/, store/, host/)" },
  outsideShared: { group: ["**/electron/**", "**/renderer/**", "**/test/**", "**/scripts/**"], message: "shared/ imports only shared/" },
};

export const layers = {
  "shared/**/*.ts": [ban.node, ban.electron, ban.ui, ban.mainLibs, ban.outsideShared],
  "electron/core/**/*.ts": [ban.electron, ban.ui, ban.coreLibs, ban.renderer],
  "electron/gguf/**/*.ts": [ban.electron, ban.ui, ban.llama, ban.renderer, ban.shell, ban.ggufLeaf],
  "electron/engine/**/*.ts": [ban.electron, ban.ui, ban.renderer, ban.shell, ban.ggufEntry],
  "electron/models/**/*.ts": [ban.electron, ban.ui, ban.llama, ban.renderer, ban.shell, ban.engine, ban.ggufEntry],
  "electron/{store,host,cli,datasets,runs,endpoints,review,evaluation,moderation}/**/*.ts": [ban.electron, ban.ui, ban.llama, ban.renderer, ban.shell, ban.ggufEntry],
  "electron/{main,preload}/**/*.ts": [ban.ui, ban.llama, ban.renderer],
  "renderer/**/*.{ts,tsx}": [ban.node, ban.electron, ban.mainLibs, ban.mainSide],
};

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", ".cache/**", "release/**", "out/**", "test-results/**", "playwright-report/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Which electron/ folder may import which: an allowlist per folder (eslint-layers.mjs), on top of the bans above.
    files: ["electron/**/*.ts"],
    plugins: { layers: layersPlugin },
    rules: { "layers/allowed-imports": "error" },
  },
  ...Object.entries(layers).map(([glob, bans]) => ({
    files: [glob],
    rules: { "no-restricted-imports": ["error", { patterns: bans }] },
  })),
  {
    // Every IPC message passes the sender check in electron/main/ipc.ts; nothing else may listen on ipcMain.
    files: ["electron/main/**/*.ts"],
    ignores: ["electron/main/ipc.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: layers["electron/{main,preload}/**/*.ts"],
          paths: [{ name: "electron", importNames: ["ipcMain"], message: "only electron/main/ipc.ts touches ipcMain (it checks the sender of every message)" }],
        },
      ],
    },
  },
  {
    // Only the bridge talks to a transport; the rest of the renderer calls the typed Bridge (ARCHITECTURE.md, "The contract").
    files: ["renderer/**/*.{ts,tsx}"],
    ignores: ["renderer/src/bridge/**"],
    rules: {
      "no-restricted-globals": ["error", { name: "WebSocket", message: "only renderer/src/bridge/ opens transports; use the Bridge" }],
      "no-restricted-properties": ["error", { object: "window", property: "guardbench", message: "only renderer/src/bridge/ uses window.guardbench; use the Bridge" }],
    },
  },
);
