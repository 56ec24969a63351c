/**
 * The repository's root and the CLI entry, resolved once from this file's own place so that a test moved deeper in
 * the tree (tests mirror the source tree) never has to recount its `..` segments.
 */
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");
export const GUARDBENCH_CLI = join(REPO_ROOT, "bin", "guardbench.js");
