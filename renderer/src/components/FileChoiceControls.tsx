/**
 * The controls that choose a file (see fileChoice.ts): the browser's file input as a button, and the confirmation a
 * typed path needs before the main side may touch it. Props only; the slices do the calls.
 */
import { useEffect, useRef, type KeyboardEvent } from "react";

/** A button that opens the browser's file picker; `onFile` gets the chosen file (choosing the same one again works). */
export function UploadButton({ label, accept, disabled, onFile }: { label: string; accept: string; disabled?: boolean; onFile(file: File): void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <label className="button button-small file-button" aria-disabled={disabled}>
      {label}
      <input
        ref={input}
        type="file"
        accept={accept}
        className="visually-hidden"
        aria-label={label.replace(/…$/, "")}
        disabled={disabled}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (input.current) input.current.value = "";
          if (file) onFile(file);
        }}
      />
    </label>
  );
}

const WHAT_HAPPENS = {
  read: { text: "Guardbench will read this file on this machine:", confirm: "Read this file" },
  import: { text: "Guardbench will copy this file into its model library:", confirm: "Import this file" },
  write: { text: "Guardbench will write this file on this machine, replacing it if it exists:", confirm: "Write this file" },
} as const;

/**
 * The user's confirmation of a typed path: nothing is read or written before they press the button. Enter confirms
 * (the button has the focus), Esc cancels.
 */
export function ConfirmPath({ path, action, busy, onConfirm, onCancel }: { path: string; action: keyof typeof WHAT_HAPPENS; busy?: boolean; onConfirm(): void; onCancel(): void }) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  const { text, confirm: confirmLabel } = WHAT_HAPPENS[action];

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    onCancel();
  }

  return (
    <div className="confirm-path" role="group" aria-label="Confirm the file" onKeyDown={onKeyDown}>
      <p className="small">
        {text} <span className="mono">{path}</span>
      </p>
      <div className="button-row">
        <button ref={confirm} type="button" className="button button-primary button-small" aria-disabled={busy} onClick={() => !busy && onConfirm()}>
          {confirmLabel}
        </button>
        <button type="button" className="button button-quiet button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
