import { pythonStrip } from "./pythonStrip.ts";

/**
 * A run of prompt text. `special` is one special token of the TEMPLATE (`<|eot_id|>`, a BOS literal),
 * which the engine emits as that single token. `text` is everything else — template wording and user
 * content merged — which the engine tokenises with special-token parsing OFF, so a `<|eot_id|>` typed
 * by a user stays plain text instead of becoming a control token (prompt injection).
 */
export interface PromptPart {
  kind: "special" | "text";
  text: string;
}

export function joinParts(parts: readonly PromptPart[]): string {
  return parts.map((part) => part.text).join("");
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Accumulates a prompt as parts. Template text goes through `template()`, where the family's special
 * tokens are recognised; user content goes through `content()`, where they never are.
 */
export class PromptPartsBuilder {
  private readonly parts: PromptPart[] = [];
  private length = 0;
  private readonly specialTokenPattern: RegExp | undefined;

  constructor(specialTokens: readonly string[]) {
    this.specialTokenPattern =
      specialTokens.length > 0 ? new RegExp(`(${specialTokens.map(escapeRegExp).join("|")})`) : undefined;
  }

  /** Character offset in the text built so far. */
  get offset(): number {
    return this.length;
  }

  /** Template text; special tokens spelled in it become `special` parts. */
  template(text: string): this {
    if (!this.specialTokenPattern) return this.content(text);
    // split() with a capturing group alternates text, token, text, …: odd indices are the tokens.
    text.split(this.specialTokenPattern).forEach((piece, i) => (i % 2 === 1 ? this.special(piece) : this.content(piece)));
    return this;
  }

  /** User content (or any text that must stay text): merged into the current text run. */
  content(text: string): this {
    if (text.length === 0) return this;
    const last = this.parts.at(-1);
    if (last?.kind === "text") last.text += text;
    else this.parts.push({ kind: "text", text });
    this.length += text.length;
    return this;
  }

  build(): PromptPart[] {
    return this.parts.map((part) => ({ ...part }));
  }

  private special(token: string): void {
    this.parts.push({ kind: "special", text: token });
    this.length += token.length;
  }
}

/**
 * `parts` as the engine should see them: without the template's leading BOS literal, because
 * llama.cpp adds BOS itself (two BOS tokens would shift the model's input), and without any
 * whitespace-only text before it (the Llama Guard 3 8B template's stray leading space).
 */
export function withoutLeadingBos(parts: readonly PromptPart[], bosLiteral: string | undefined): PromptPart[] {
  if (bosLiteral === undefined) return parts.map((part) => ({ ...part }));
  const bosIndex = parts.findIndex((part) => part.kind === "special" && part.text === bosLiteral);
  const isLeading = bosIndex >= 0 && parts.slice(0, bosIndex).every((part) => part.kind === "text" && pythonStrip(part.text) === "");
  return (isLeading ? parts.slice(bosIndex + 1) : parts).map((part) => ({ ...part }));
}

/** Splits parts at a character offset of their joined text (a part straddling it is cut in two). */
export function splitPartsAt(parts: readonly PromptPart[], offset: number): [before: PromptPart[], after: PromptPart[]] {
  const before: PromptPart[] = [];
  const after: PromptPart[] = [];
  let position = 0;
  for (const part of parts) {
    const end = position + part.text.length;
    if (end <= offset) before.push({ ...part });
    else if (position >= offset) after.push({ ...part });
    else {
      // Meant for offsets inside text runs (conversationStart always is); a cut special token would be meaningless.
      before.push({ kind: part.kind, text: part.text.slice(0, offset - position) });
      after.push({ kind: part.kind, text: part.text.slice(offset - position) });
    }
    position = end;
  }
  return [before, after];
}
