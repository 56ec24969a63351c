// The folder allowlist of ARCHITECTURE.md's layers, as an ESLint rule: every relative import is resolved against the
// importing file, and an import into another electron/ folder must be on the importing folder's list (as VS Code's
// code-layering does). A new arrow between folders is a decision, made by adding it here, not by accident.
import { dirname, relative, resolve, sep } from "node:path";

/** electron/<folder> → the electron/ folders it may import (itself always). shared/ is open to every folder. */
export const ELECTRON_IMPORTS = {
  core: [],
  gguf: [],
  datasets: ["core", "store"],
  store: ["core"],
  models: ["core", "gguf"],
  endpoints: ["core", "engine", "store"],
  engine: ["core", "gguf", "moderation"],
  moderation: ["core", "engine", "store"],
  review: ["runs", "store"],
  evaluation: ["datasets", "engine", "runs", "store"],
  runs: ["core", "endpoints", "engine", "store"],
  host: ["core", "datasets", "endpoints", "engine", "evaluation", "gguf", "models", "moderation", "review", "runs", "store"],
  cli: ["core", "datasets", "engine", "evaluation", "gguf", "host", "models", "moderation", "review", "runs", "store"],
  main: ["core", "endpoints", "engine", "host", "models", "store"],
  preload: ["host"],
};

const repoRoot = dirname(new URL(import.meta.url).pathname);

function electronFolderOf(path) {
  const parts = relative(repoRoot, path).split(sep);
  return parts[0] === "electron" && parts.length > 2 ? parts[1] : undefined;
}

const allowedImports = {
  meta: { type: "problem", schema: [], messages: { forbidden: "electron/{{from}} may not import electron/{{to}}: its allowed folders are {{allowed}} (eslint-layers.mjs)" } },
  create(context) {
    const from = electronFolderOf(context.filename);
    if (from === undefined) return {};
    const allowed = ELECTRON_IMPORTS[from];
    const check = (node) => {
      const spec = node?.value;
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const to = electronFolderOf(resolve(dirname(context.filename), spec));
      if (to === undefined || to === from) return;
      if (allowed === undefined || !allowed.includes(to)) {
        context.report({ node, messageId: "forbidden", data: { from, to, allowed: allowed?.length ? allowed.join(", ") : "none (shared/ only)" } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export const layersPlugin = { rules: { "allowed-imports": allowedImports } };
