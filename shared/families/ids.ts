/**
 * The names of every guard family, as `--family` takes them. This file is a leaf (it imports nothing) because the
 * policy schema needs the names while its own module is still loading; the family objects live in `registry.ts`, which
 * must have exactly one entry per name (the type of the registry enforces it).
 */
export const FAMILY_IDS = [
  "llama-guard-1",
  "llama-guard-2",
  "llama-guard-3-8b",
  "llama-guard-3-1b",
  "llama-guard-4",
  "chat-judge",
  "shieldgemma",
  "granite-guardian-3.0",
  "granite-guardian-3.1",
  "granite-guardian-3.2",
  "granite-guardian-3.3",
  "wildguard",
  "qwen3guard",
  "nemoguard-content-safety",
  "gpt-oss-safeguard",
  // A model of no known family, with the user's decision words and verdict pattern (customGuard.ts).
  "custom-guard",
] as const;

export type FamilyId = (typeof FAMILY_IDS)[number];

/**
 * The families the scoring engine can score today: what the IPC contract, the CLI and stored runs accept as a model's
 * family. Llama Guard 1–3 and the chat judge take the engine's batch path (electron/engine/llama/classification.ts);
 * the others are scored from their registry objects' decision specs (familyClassification.ts), each proven on real
 * llama.cpp by a fixture model of its own vocabulary or of one of the same tokenizer family. Since WildGuard, Granite
 * Guardian and Llama Guard 4 joined, that is every family; a family added later without such a test is left out of
 * this list, and `registry.ts` marks these same families `scorableToday` (a unit test keeps the two in step).
 */
export const PROMPT_FAMILIES = FAMILY_IDS satisfies readonly FamilyId[];

export type PromptFamily = (typeof PROMPT_FAMILIES)[number];

export function isFamilyId(value: unknown): value is FamilyId {
  return typeof value === "string" && (FAMILY_IDS as readonly string[]).includes(value);
}

export function isPromptFamily(value: unknown): value is PromptFamily {
  return typeof value === "string" && (PROMPT_FAMILIES as readonly string[]).includes(value);
}
