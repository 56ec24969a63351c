import type { Role } from "./types.ts";

/**
 * Every role name the parsers accept, lower-case, and the role it means. One table for all formats, so that a
 * transcript label and a JSON `role` field mean the same thing: "Human:" and `"role": "human"` are both user turns.
 */
const ROLE_NAMES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ["user", "user"],
  ["human", "user"],
  ["assistant", "assistant"],
  ["ai", "assistant"],
  ["agent", "assistant"],
  ["bot", "assistant"],
  ["model", "assistant"],
  // OpenAI's newer API name for the system message.
  ["developer", "system"],
  ["system", "system"],
]);

/**
 * Roles of tool calls and their results (OpenAI "tool" / "function", Llama 3 "ipython"). Llama Guard's templates have
 * no place for them and they are not what a moderator classifies, so parsers skip such messages with a warning
 * rather than rejecting a whole pasted agent trace.
 */
const TOOL_ROLE_NAMES: ReadonlySet<string> = new Set(["tool", "function", "ipython"]);

/** Every role name a transcript label or a `role` field may use, in the table's order. */
export const KNOWN_ROLE_NAMES: readonly string[] = [...ROLE_NAMES.keys()];

/** Role names as a regex alternation, longest first so that no name is cut short by a shorter one. */
export const ROLE_NAME_PATTERN = [...ROLE_NAMES.keys()].sort((a, b) => b.length - a.length).join("|");

/** The role a name in the table means, or undefined for tool roles and unknown names. */
export function knownRole(name: string): Role | undefined {
  return ROLE_NAMES.get(name.trim().toLowerCase());
}

export type RoleLookup = { kind: "role"; role: Role } | { kind: "tool" } | { kind: "unknown" };

export function lookUpRole(name: string): RoleLookup {
  const role = knownRole(name);
  if (role) return { kind: "role", role };
  return TOOL_ROLE_NAMES.has(name.trim().toLowerCase()) ? { kind: "tool" } : { kind: "unknown" };
}

/** The sentence that ends every unknown-role error. */
export const ALLOWED_ROLES_HINT =
  'Use one of the roles "user", "assistant" or "system" (also accepted: ' +
  [...ROLE_NAMES.keys()].filter((name) => !["user", "assistant", "system"].includes(name)).join(", ") +
  ").";
