/** Verdicts of the families that answer `Yes` (violation) or `No` first: ShieldGemma and Granite Guardian 3.0–3.2. */
import { cleanOutput, END_MARKERS, textOrUndefined, unparseableVerdict } from "./verdict.ts";
import type { FamilyVerdict, ParseVerdictContext, VerdictAnswer } from "./types.ts";

/**
 * `Yes` → unsafe in the judged category, `No` → safe, case-insensitively, as the first word. What follows is kept:
 * ShieldGemma's step-by-step explanation as `reasoning`, Granite 3.2's `<confidence> High </confidence>` as an answer.
 * Anything else (`Maybe`, `Yesterday`, an empty output) is unparseable.
 */
export function parseYesNo(output: string, context: ParseVerdictContext): FamilyVerdict {
  const raw = textOrUndefined(output);
  if (raw === undefined) return unparseableVerdict("", "the output is not text");
  const text = cleanOutput(raw, END_MARKERS);
  if (text === "") return unparseableVerdict(raw, "the output is empty");
  const match = /^(yes|no)(?![\p{L}\p{N}_])[.,:!]?([^]*)$/iu.exec(text);
  if (!match) return unparseableVerdict(raw, `the answer does not start with "Yes" or "No": ${JSON.stringify(text.slice(0, 80))}`);
  const answer = match[1]!;
  const rest = match[2]!.trim();
  const answers: VerdictAnswer[] = [{ key: "answer", label: "Answer", value: answer }];
  let reasoning = rest;
  const confidence = /<confidence>\s*([^<]*?)\s*<\/confidence>/i.exec(rest);
  if (confidence) {
    answers.push({ key: "confidence", label: "Confidence", value: confidence[1]! });
    reasoning = rest.replace(confidence[0], "").trim();
  } else if (/<confidence>/i.test(rest)) {
    return unparseableVerdict(raw, `the <confidence> tag is not closed: ${JSON.stringify(rest.slice(0, 80))}`, { answers });
  }
  const extras = { answers, ...(reasoning !== "" && { reasoning }) };
  if (answer.toLowerCase() === "no") return { kind: "safe", raw, ...extras };
  return { kind: "unsafe", categories: context.code === undefined ? [] : [context.code], raw, ...extras };
}
