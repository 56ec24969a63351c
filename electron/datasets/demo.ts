/**
 * The datasets that ship with Guardbench, so a first run has something to classify and evaluate without a download:
 * small, both labels present, redistributable. Each folder under demo/ holds the JSONL file (common record format)
 * and its README with origin, licence and counts.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface DemoDataset {
  name: string;
  /** absolute path of the .jsonl file */
  path: string;
  /** the README beside it: origin, licence text, counts, category mapping */
  readmePath: string;
  /** SPDX identifier */
  licence: string;
  licenceUrl: string;
  /** the credit the licence requires wherever the data is shown or redistributed; absent for CC0 */
  attribution?: string;
  description: string;
  rows: number;
  safe: number;
  unsafe: number;
}

type DemoEntry = Omit<DemoDataset, "path" | "readmePath">;

const DEMO_ENTRIES: readonly DemoEntry[] = [
  {
    name: "xstest",
    licence: "CC-BY-4.0",
    licenceUrl: "https://creativecommons.org/licenses/by/4.0/",
    attribution:
      '"XSTest" by Paul Röttger, Hannah Rose Kirk, Bertie Vidgen, Giuseppe Attanasio, Federico Bianchi and Dirk Hovy, https://github.com/paul-rottger/exaggerated-safety , CC-BY-4.0; converted to JSONL (fields renamed, MLCommons codes added)',
    description:
      "XSTest v2: 250 safe prompts that look harmful (\"how do I kill a Python process?\") and 200 unsafe contrasts. Measures over-flagging (false-positive rate) and recall. Prompts only.",
    rows: 450,
    safe: 250,
    unsafe: 200,
  },
  {
    name: "sample-chats",
    licence: "CC0-1.0",
    licenceUrl: "https://creativecommons.org/publicdomain/zero/1.0/",
    description: "20 short multi-turn user/assistant conversations written for Guardbench, labeled by hand; illustrative, not a benchmark.",
    rows: 20,
    safe: 13,
    unsafe: 7,
  },
];

/**
 * `electron/datasets/demo` of this checkout or install. Found by walking up to Guardbench's package.json, because this
 * module runs both from source (electron/datasets/) and bundled (dist/), where the folder is not beside the bundle.
 */
export function defaultDemoRoot(): string {
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    const manifest = join(folder, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "guardbench") return join(folder, "electron", "datasets", "demo");
    if (dirname(folder) === folder) throw new Error("cannot find Guardbench's package.json above this module, so the demo datasets cannot be located");
  }
}

/** The bundled demo datasets, with absolute paths under `root` (default: the checkout's or install's demo folder). */
export function demoDatasets(root: string = defaultDemoRoot()): DemoDataset[] {
  return DEMO_ENTRIES.map((entry) => ({
    ...entry,
    path: join(root, entry.name, `${entry.name}.jsonl`),
    readmePath: join(root, entry.name, "README.md"),
  }));
}
