/**
 * One turn of the conversation: role, text, and buttons to move or remove it. Alt+↑/↓ anywhere in the turn moves it,
 * so reordering needs no mouse. `note` says what Llama Guard will do with the turn (checked, left out …).
 */
import type { KeyboardEvent } from "react";
import type { Role } from "../../../shared/conversation/index.ts";
import { keepFocus } from "./keepFocus.ts";

export interface TurnNote {
  kind: "checked" | "skipped" | "cut";
  text: string;
}

export interface TurnEditorProps {
  index: number;
  count: number;
  role: Role;
  content: string;
  roles: readonly Role[];
  note?: TurnNote;
  onContentChange(content: string): void;
  onRoleChange(role: Role): void;
  onMove(by: -1 | 1): void;
  onRemove(): void;
  onAddAfter(): void;
}

const ROLE_LABELS: Record<Role, string> = { user: "User", assistant: "Assistant", system: "System" };

export function TurnEditor({ index, count, role, content, roles, note, onContentChange, onRoleChange, onMove, onRemove, onAddAfter }: TurnEditorProps) {
  const number = index + 1;
  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    const by = event.key === "ArrowUp" ? -1 : 1;
    if (index + by >= 0 && index + by < count) keepFocus(() => onMove(by));
  }
  return (
    <li className={`turn turn-${role}${note ? ` turn-${note.kind}` : ""}`} onKeyDown={onKeyDown}>
      <div className="turn-header">
        <span className="turn-number">Turn {number}</span>
        <select className="select select-small" aria-label={`Role of turn ${number}`} value={role} onChange={(event) => onRoleChange(event.target.value as Role)}>
          {roles.map((option) => (
            <option key={option} value={option}>
              {ROLE_LABELS[option]}
            </option>
          ))}
        </select>
        {note && <span className={`turn-note turn-note-${note.kind}`}>{note.text}</span>}
        <span className="turn-tools">
          <button type="button" className="button button-quiet button-small" aria-label={`Move turn ${number} up`} disabled={index === 0} onClick={() => keepFocus(() => onMove(-1))}>
            ↑
          </button>
          <button type="button" className="button button-quiet button-small" aria-label={`Move turn ${number} down`} disabled={index === count - 1} onClick={() => keepFocus(() => onMove(1))}>
            ↓
          </button>
          <button type="button" className="button button-quiet button-small" aria-label={`Add a turn after turn ${number}`} onClick={onAddAfter}>
            +
          </button>
          <button type="button" className="button button-quiet button-small button-danger-text" aria-label={`Remove turn ${number}`} onClick={onRemove}>
            Remove
          </button>
        </span>
      </div>
      <textarea className="textarea turn-text" aria-label={`Text of turn ${number}`} value={content} rows={Math.min(8, Math.max(2, content.split("\n").length))} onChange={(event) => onContentChange(event.target.value)} />
    </li>
  );
}
