/**
 * `~` and `~/…` in a path a person typed, as a shell expands them (the CLI's arguments when the shell left them, e.g.
 * `--model=~/models/x.gguf`, and paths typed in the browser page). `~user` forms are left alone: Guardbench never
 * looks up other users' folders.
 */
export function expandHome(path: string, homeDir: string | undefined): string {
  if (!homeDir) return path;
  const home = homeDir.length > 1 ? homeDir.replace(/[\\/]+$/, "") : homeDir;
  if (path === "~") return home;
  if (path.startsWith("~/") || path.startsWith("~\\")) return `${home}/${path.slice(2)}`;
  return path;
}
