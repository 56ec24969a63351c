/**
 * Model files the operating system asks Guardbench to open (a double-click on a `.gguf`, "Open with", a path on the
 * command line). Electron reports them in three ways, some before the window exists: macOS's `open-file` event, the
 * first instance's argv, and a second instance's argv. The main process queues them until AppHost exists; AppHost
 * queues them until a page asks (`models:open-requests`, once it listens for events), then pushes each as
 * `models:open-request`: the page shows the Models screen with the file ready to import.
 */
import { isAbsolute, resolve } from "node:path";

/** The `.gguf` paths among command-line arguments, absolute (relative ones resolved against `cwd`), without repeats. */
export function modelFilesIn(argv: readonly string[], cwd: string): string[] {
  const files = argv.filter((arg) => !arg.startsWith("-") && /\.gguf$/i.test(arg)).map((arg) => (isAbsolute(arg) ? arg : resolve(cwd, arg)));
  return [...new Set(files)];
}

export class OpenRequestQueue {
  private pending: string[] = [];
  private deliver: ((path: string) => void) | undefined;

  /** Paths to open: delivered at once when a receiver is attached, kept until then. */
  add(paths: readonly string[]): void {
    for (const path of paths) {
      if (this.deliver) this.deliver(path);
      else if (!this.pending.includes(path)) this.pending.push(path);
    }
  }

  /** How many paths wait for a receiver. */
  get waiting(): number {
    return this.pending.length;
  }

  /** From now on paths go to `deliver`, starting with those that waited. Returns the detacher (e.g. window closed). */
  attach(deliver: (path: string) => void): () => void {
    this.deliver = deliver;
    const waiting = this.pending;
    this.pending = [];
    for (const path of waiting) deliver(path);
    return () => {
      if (this.deliver === deliver) this.deliver = undefined;
    };
  }
}
