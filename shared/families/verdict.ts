/** Pieces every verdict parser uses: never throw, keep the raw text, and read `safe` only out of a clear safe answer. */
import { findCategory } from "../taxonomy/policy.ts";
import type { FamilyPolicy, FamilyVerdict, VerdictExtras } from "./types.ts";

export function unparseableVerdict(raw: string, reason: string, extras: VerdictExtras & { unknownCodes?: string[]; disabledCodes?: string[] } = {}): FamilyVerdict {
  return { kind: "unparseable", raw, reason, ...extras };
}

/** The text when it is a string, else undefined (IPC payloads and remote servers are untrusted). */
export function textOrUndefined(output: unknown): string | undefined {
  return typeof output === "string" ? output : undefined;
}

/** CRLF and CR as LF, surrounding whitespace trimmed, and one end-of-turn marker an engine left at the end removed. */
export function cleanOutput(text: string, endMarkers: readonly string[]): string {
  const cleaned = text.replace(/\r\n?/g, "\n").trim();
  const marker = endMarkers.find((candidate) => cleaned.endsWith(candidate));
  return marker === undefined ? cleaned : cleaned.slice(0, -marker.length).trim();
}

/** Common end-of-turn / end-of-text markers across the families' tokenizers. */
export const END_MARKERS = ["<|eot_id|>", "<|end_of_text|>", "</s>", "<|im_end|>", "<|endoftext|>", "<end_of_turn>", "<eos>", "<|eot|>", "<|return|>", "<|end|>"] as const;

export type ListedCategories = { ok: true; categories: string[] } | { ok: false; reason: string; unknownCodes?: string[]; disabledCodes?: string[] };

/** A category name as a model writes it back: without its trailing period, case-insensitively. */
const comparableName = (name: string) => name.trim().replace(/\.$/, "").trim().toUpperCase();

/**
 * Maps the categories a model listed (codes like `S1`, or names like Qwen3Guard's `Violent`) to the policy's codes, in
 * the model's order, without duplicates. Any entry the policy does not have, or excludes, makes the list unusable: the
 * model flagged something it was not asked about, and the caller reports that instead of guessing.
 */
export function resolveListedCategories(listed: readonly string[], policy: FamilyPolicy, spell: "code" | "name"): ListedCategories {
  const categories: string[] = [];
  const unknownCodes: string[] = [];
  const disabledCodes: string[] = [];
  for (const entry of listed) {
    const category =
      spell === "code" ? findCategory(policy, entry) : policy.categories.find((candidate) => comparableName(candidate.name) === comparableName(entry));
    if (!category) unknownCodes.push(entry);
    else if (!category.enabled) disabledCodes.push(category.code);
    else if (!categories.includes(category.code)) categories.push(category.code);
  }
  if (unknownCodes.length === 0 && disabledCodes.length === 0) return { ok: true, categories };
  const problems = [
    unknownCodes.length > 0 && `unknown to the policy: ${unknownCodes.join(", ")}`,
    disabledCodes.length > 0 && `excluded from the policy: ${disabledCodes.join(", ")}`,
  ].filter(Boolean);
  return {
    ok: false,
    reason: `the answer names ${spell === "code" ? "codes" : "categories"} ${problems.join("; ")}`,
    ...(unknownCodes.length > 0 && { unknownCodes }),
    ...(disabledCodes.length > 0 && { disabledCodes }),
  };
}

/** Splits a comma-separated category list; undefined when an entry is empty (`S1,,S3`). */
export function splitList(list: string): string[] | undefined {
  const entries = list.split(",").map((entry) => entry.trim());
  return entries.some((entry) => entry === "") ? undefined : entries;
}
