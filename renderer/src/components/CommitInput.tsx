/**
 * A text field for a value that must stay valid (a category name). It keeps what the user types locally, commits it
 * as soon as it is valid, and shows why when it is not; leaving the field with an invalid value puts the last valid one
 * back. Without the local copy, clearing a name to retype it would be impossible: the empty name is refused.
 */
import { useEffect, useId, useState } from "react";

export interface CommitInputProps {
  label: string;
  value: string;
  /** returns why `next` cannot be used, or undefined after committing it */
  onCommit(next: string): string | undefined;
  multiline?: boolean;
  describedBy?: string;
  className?: string;
}

export function CommitInput({ label, value, onCommit, multiline, describedBy, className }: CommitInputProps) {
  const errorId = useId();
  const [text, setText] = useState(value);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  // The committed value can change from elsewhere (reset to preset, undo by import): follow it.
  useEffect(() => {
    setText(value);
    setProblem(undefined);
  }, [value]);

  function change(next: string) {
    setText(next);
    setProblem(onCommit(next));
  }

  const shared = {
    "aria-label": label,
    "aria-invalid": problem ? true : undefined,
    "aria-describedby": [problem ? errorId : undefined, describedBy].filter(Boolean).join(" ") || undefined,
    value: text,
    onBlur: () => {
      if (problem) {
        setText(value);
        setProblem(undefined);
      }
    },
  };
  return (
    <span className={`commit-input ${className ?? ""}`}>
      {multiline ? (
        <textarea {...shared} className="textarea" rows={Math.min(6, Math.max(1, text.split("\n").length))} onChange={(event) => change(event.target.value)} />
      ) : (
        <input {...shared} className="input" type="text" onChange={(event) => change(event.target.value)} />
      )}
      {problem && (
        <span id={errorId} className="field-error">
          {problem}
        </span>
      )}
    </span>
  );
}
