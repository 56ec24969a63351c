/**
 * The turn editor's pure reducer. Turns carry a renderer-only `id` so React keys and keyboard focus follow a turn when
 * it moves; the id never crosses the bridge.
 */
import type { Role, Turn } from "../../../../shared/conversation/index.ts";

export interface EditableTurn extends Turn {
  id: string;
}

export type TurnEdit =
  | { type: "setContent"; id: string; content: string }
  | { type: "setRole"; id: string; role: Role }
  | { type: "add"; afterId?: string; role?: Role }
  | { type: "remove"; id: string }
  | { type: "move"; id: string; by: -1 | 1 };

let nextTurnId = 1;
export function newTurnId(): string {
  return `turn-${nextTurnId++}`;
}

export function withIds(turns: readonly Turn[]): EditableTurn[] {
  return turns.map((turn) => ({ role: turn.role, content: turn.content, id: newTurnId() }));
}

export function withoutIds(turns: readonly EditableTurn[]): Turn[] {
  return turns.map(({ role, content }) => ({ role, content }));
}

/** The role that keeps a Llama Guard conversation alternating after `previous`. */
export function roleAfter(previous: Turn | undefined): Role {
  return previous?.role === "user" ? "assistant" : "user";
}

/** Applies one edit; an edit naming an unknown turn, or a move past either end, returns `turns` itself. */
export function editTurns(turns: readonly EditableTurn[], edit: TurnEdit): readonly EditableTurn[] {
  switch (edit.type) {
    case "setContent":
      return turns.map((turn) => (turn.id === edit.id ? { ...turn, content: edit.content } : turn));
    case "setRole":
      return turns.map((turn) => (turn.id === edit.id ? { ...turn, role: edit.role } : turn));
    case "add": {
      const index = edit.afterId === undefined ? turns.length - 1 : turns.findIndex((turn) => turn.id === edit.afterId);
      const at = index + 1;
      const added: EditableTurn = { id: newTurnId(), role: edit.role ?? roleAfter(turns[index]), content: "" };
      return [...turns.slice(0, at), added, ...turns.slice(at)];
    }
    case "remove":
      return turns.filter((turn) => turn.id !== edit.id);
    case "move": {
      const from = turns.findIndex((turn) => turn.id === edit.id);
      const to = from + edit.by;
      if (from === -1 || to < 0 || to >= turns.length) return turns;
      const moved = [...turns];
      [moved[from], moved[to]] = [moved[to]!, moved[from]!];
      return moved;
    }
  }
}
