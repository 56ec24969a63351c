/**
 * `~` and `~/…` in a path a person typed, as a shell expands them (the CLI's arguments when the shell left them, e.g.
 * `--model=~/models/x.gguf`, and paths typed in the browser page). `~user` forms are left alone: Guardbench never
 * looks up other users' folders.
 */
export function expandHome(path: string, homeDir: string | undefined): string {
  if (!homeDir) return path;
  if (path === "~") return homeDir;
  if (path.startsWith("~/") || path.startsWith("~\\")) return `${homeDir.replace(/[\\/]+$/, "")}/${path.slice(2)}`;
  return path;
}
