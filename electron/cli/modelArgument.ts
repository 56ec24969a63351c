/** `--model` as `classify`, `run` and `worker` take it: a GGUF file's path, else the id of an installed model. */
import { existsSync, statSync } from "node:fs";
import { ModelLibrary } from "../models/library.ts";
import { guardbenchHome } from "../models/paths.ts";
import { CliFailure, userPath, type CliIo } from "./command.ts";

export function resolveModelPath(arg: string, io: Pick<CliIo, "cwd" | "env">): string {
  const asPath = userPath(io, arg);
  if (existsSync(asPath)) return asPath;
  const resolved = new ModelLibrary(guardbenchHome(io.env)).resolveId(arg);
  if (resolved.ok && existsSync(resolved.value) && statSync(resolved.value).isFile()) return resolved.value;
  throw new CliFailure(`--model ${arg}: there is no such file, and no installed model has that id (\`guardbench models list\` shows the ids)`);
}
