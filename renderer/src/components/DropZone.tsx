/** A region a file can be dropped on, saying so; the controls inside it work as they do without it. Props only. */
import type { ReactNode } from "react";
import { useFileDrop } from "./fileDrop.ts";

export function DropZone({ label, hint, onFile, children }: { label: string; hint: string; onFile(file: File): void; children: ReactNode }) {
  const drop = useFileDrop(onFile);
  return (
    <div className={`drop-zone${drop.over ? " drop-target-over" : ""}`} role="group" aria-label={label} {...drop.handlers}>
      {children}
      <p className="drop-hint muted small">{hint}</p>
    </div>
  );
}
