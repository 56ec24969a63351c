/**
 * One policy category: include/exclude, name and description (prompt text), the model card's wording as help, and
 * reordering with buttons or Alt+↑/↓.
 */
import { useId, type KeyboardEvent } from "react";
import { CommitInput } from "./CommitInput.tsx";
import { keepFocus } from "./keepFocus.ts";

/** What the editor shows of one category; the policy feature's selectors build it. */
export interface CategoryView {
  code: string;
  name: string;
  description: string;
  enabled: boolean;
  /** a family default: can be excluded, not removed */
  isPreset: boolean;
  cardName?: string;
  cardDescription?: string;
}

export interface CategoryEditorProps extends CategoryView {
  index: number;
  count: number;
  onToggle(enabled: boolean): void;
  onRename(name: string): string | undefined;
  onDescribe(description: string): string | undefined;
  onMove(toIndex: number): void;
  onRemove(): void;
}

export function CategoryEditor(props: CategoryEditorProps) {
  const { index, count, code, name, description, enabled, isPreset, cardName, cardDescription } = props;
  const helpId = useId();
  const title = `${code}: ${name.trim()}`;
  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    const to = index + (event.key === "ArrowUp" ? -1 : 1);
    if (to >= 0 && to < count) keepFocus(() => props.onMove(to));
  }
  return (
    <li className={`category${enabled ? "" : " category-excluded"}`} onKeyDown={onKeyDown}>
      <div className="category-header">
        <label className="switch">
          <input type="checkbox" checked={enabled} onChange={(event) => props.onToggle(event.target.checked)} aria-label={`Include ${title}`} />
          <span className="category-code">{code}</span>
        </label>
        <CommitInput className="category-name" label={`Name of ${code}`} value={name} onCommit={props.onRename} describedBy={cardName ? helpId : undefined} />
        {!enabled && <span className="badge badge-muted">Excluded</span>}
        {!isPreset && <span className="badge badge-accent">Custom</span>}
        <span className="category-tools">
          <button type="button" className="button button-quiet button-small" aria-label={`Move ${code} up`} disabled={index === 0} onClick={() => keepFocus(() => props.onMove(index - 1))}>
            ↑
          </button>
          <button type="button" className="button button-quiet button-small" aria-label={`Move ${code} down`} disabled={index === count - 1} onClick={() => keepFocus(() => props.onMove(index + 1))}>
            ↓
          </button>
          {!isPreset && (
            <button type="button" className="button button-quiet button-small button-danger-text" aria-label={`Remove ${code}`} onClick={props.onRemove}>
              Remove
            </button>
          )}
        </span>
      </div>
      <details className="category-details">
        <summary>
          {cardName ? (
            <span id={helpId}>
              Model card: <strong>{cardName}</strong>
            </span>
          ) : (
            "Custom category"
          )}
          <span className="category-details-hint"> · {description ? "description in the prompt" : "the prompt prints the name alone"}</span>
        </summary>
        {cardDescription && <p className="category-help">{cardDescription}</p>}
        <CommitInput label={`Description of ${code}`} value={description} onCommit={props.onDescribe} multiline />
      </details>
    </li>
  );
}
