/** Number and text formatting shared by components, so every screen writes a probability the same way. */
import { formatBytes } from "../../../shared/format/bytes.ts";

export { formatBytes };

/** P(unsafe) and other headline probabilities: two decimals, as the model cards quote scores ("0.80"). */
export function formatScore(p: number): string {
  return p.toFixed(2);
}

/** Per-token probabilities: four decimals, enough to tell 0.8000 from 0.8009. */
export function formatProbability(p: number): string {
  return p.toFixed(4);
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "4 min 05 s", "12 s"; null (unknown) as an em dash. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** A token as text a reader can see: line breaks, tabs and edge spaces become visible marks. */
export function visibleToken(text: string): string {
  if (text === "") return "∅";
  return text.replace(/\n/g, "⏎").replace(/\t/g, "⇥").replace(/^ | $/g, "␣");
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The last part of a path, on either platform's separators: "/models/x.gguf" → "x.gguf". */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** A metric as the evaluation tables show it: three decimals, "—" when it is undefined (null). */
export function formatMetric(value: number | null): string {
  return value === null ? "—" : value.toFixed(3);
}
