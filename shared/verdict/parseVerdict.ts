import { cleanOutput, resolveListedCategories, splitList } from "../families/verdict.ts";
import type { Policy } from "../taxonomy/index.ts";

export type Verdict =
  | { kind: "safe"; raw: string }
  | {
      kind: "unsafe";
      /** Violated codes as the policy spells them, in the model's order, without duplicates. */
      categories: string[];
      raw: string;
      /** Set when the answer is usable but not quite to format (e.g. `unsafe` with no code line). */
      note?: string;
      unknownCodes?: never;
    }
  | {
      kind: "unparseable";
      raw: string;
      reason: string;
      /** Codes the policy does not have. */
      unknownCodes?: string[];
      /** Codes of categories the policy excludes: the model flagged something it was not asked about. */
      disabledCodes?: string[];
    };

/**
 * Reads a classifier's answer. Never throws, and never reads "safe" out of anything but a lone
 * `safe` answer.
 *
 * Accepted (case-insensitive; CRLF treated as LF):
 * - surrounding whitespace, including LG3's leading `\n\n` and the spaces a Llama 2 chat model opens
 *   with; blank lines between the two answer lines; one trailing end-of-turn marker left in the text
 *   (`<|eot_id|>`, `<|end_of_text|>`, `</s>`), which engines normally strip;
 * - `safe` or `safe.` alone;
 * - `unsafe` / `unsafe.` followed by a line of comma-separated codes (`S1,S3`, `S1, S3`, `S1, S3.`),
 *   or with the codes on the same line after `:`, a dash or a space (`Unsafe: S1, S3`);
 * - any policy's codes, Llama Guard 1's `O1`…`O6` included; codes match the policy case-insensitively
 *   and come back spelled as in the policy.
 *
 * Decisions:
 * - `unsafe` with no code line is **unsafe with no categories** and a note: Llama Guard models do emit
 *   it, the P(unsafe) score is still meaningful, and reading it as unparseable would lose a clear flag.
 * - Codes unknown to the policy, or of excluded categories, make the verdict **unparseable** (listing
 *   them), as does anything else: text after `safe` (`safe\nS1`), a third line, an empty code
 *   (`S1,,S3`), or a first line that is not exactly safe/unsafe (`safety`, `safeguard`, `**safe**`).
 */
export function parseVerdict(output: string, policy: Policy<string>): Verdict {
  const raw = typeof output === "string" ? output : "";
  const unparseable = (reason: string, codes: { unknownCodes?: string[]; disabledCodes?: string[] } = {}): Verdict => ({
    kind: "unparseable",
    raw,
    reason,
    ...codes,
  });
  if (typeof output !== "string") return unparseable("the output is not text");

  const lines = cleanOutput(raw, END_OF_TURN_MARKERS)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const [firstLine, ...otherLines] = lines;
  if (firstLine === undefined) return unparseable("the output is empty");

  if (/^safe\.?$/i.test(firstLine)) {
    if (otherLines.length > 0) return unparseable(`"safe" is followed by more text: ${JSON.stringify(otherLines.join("\n"))}`);
    return { kind: "safe", raw };
  }

  // `unsafe`, optionally followed by "." or by codes after ":", a dash or whitespace.
  const unsafe = /^unsafe(?:\.|\s*[:\-–—]\s*(.*)|\s+(.*))?$/i.exec(firstLine);
  if (!unsafe) return unparseable(`the first line is neither "safe" nor "unsafe": ${JSON.stringify(firstLine)}`);

  const codesOnFirstLine = unsafe[1] ?? unsafe[2];
  const codeLines = codesOnFirstLine !== undefined && codesOnFirstLine !== "" ? [codesOnFirstLine, ...otherLines] : otherLines;
  if (codeLines.length === 0) return { kind: "unsafe", categories: [], raw, note: "the model named no category" };
  if (codeLines.length > 1) return unparseable(`expected one line of category codes, got ${codeLines.length}: ${JSON.stringify(codeLines.join("\n"))}`);

  const listed = splitList(codeLines[0]!.replace(/\.$/, ""));
  if (!listed) return unparseable(`empty entry in the category list ${JSON.stringify(codeLines[0])}`);

  const resolved = resolveListedCategories(listed, policy, "code");
  if (!resolved.ok) {
    const { ok: _ok, reason, ...codes } = resolved;
    return unparseable(reason, codes);
  }
  return { kind: "unsafe", categories: resolved.categories, raw };
}

const END_OF_TURN_MARKERS = ["<|eot_id|>", "<|end_of_text|>", "</s>"] as const;
