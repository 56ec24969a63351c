/**
 * A button for an action that cannot be undone (deleting a dataset, a run, a policy version): it opens a dialog that
 * says what goes and asks again. Cancel, Esc, the close button and a click outside keep everything; only the dialog's
 * own confirm button acts. Focus starts on the dialog's close button, so Enter right away cancels.
 */
import { useState } from "react";
import { Dialog } from "./Dialog.tsx";

export function ConfirmButton({
  label,
  ariaLabel,
  title,
  message,
  confirmLabel,
  onConfirm,
  className = "button button-quiet button-small button-danger-text",
}: {
  label: string;
  ariaLabel: string;
  title: string;
  /** what the action removes, in words, read when the dialog opens */
  message: () => string;
  confirmLabel: string;
  onConfirm(): void | Promise<void>;
  className?: string;
}) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button type="button" className={className} aria-label={ariaLabel} onClick={() => setOpen(message())}>
        {label}
      </button>
      {open !== undefined && (
        <Dialog title={title} onClose={() => !busy && setOpen(undefined)}>
          <p>{open}</p>
          <div className="dialog-actions">
            <button type="button" className="button button-small" onClick={() => setOpen(undefined)} disabled={busy}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-small button-danger"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await onConfirm();
                } finally {
                  setBusy(false);
                  setOpen(undefined);
                }
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
