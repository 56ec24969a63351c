/**
 * The loaded model's vocabulary as the engine reads it: prompts to token ids (special tokens only where the prompt
 * builder put them), token texts, the decision tokens P(safe) and P(unsafe) sum, and checks on ids from outside.
 */
import type { LlamaModel, Token } from "node-llama-cpp";
import type { BuiltPrompt } from "../../../shared/prompts/index.ts";
import { EngineError } from "../errors.ts";

export class ModelTokens {
  readonly decisionTokens: { safe: Token[]; unsafe: Token[] };
  readonly newlineTokens: Token[];
  /**
   * SentencePiece's dummy prefix: llama.cpp puts a space before every text it tokenises (Llama 2 and Mistral
   * vocabularies; llama.cpp's own default for the `llama` tokenizer model). Right for a prompt's text, which
   * llama.cpp would cut the same way from the whole prompt, but not for words that continue an answer.
   */
  private readonly addsSpacePrefix: boolean;

  constructor(readonly model: LlamaModel) {
    const tokenizer = model.fileInfo.metadata?.tokenizer?.ggml as { model?: string; add_space_prefix?: boolean } | undefined;
    this.addsSpacePrefix = tokenizer?.model === "llama" && tokenizer.add_space_prefix !== false;
    this.decisionTokens = { safe: this.firstTokensOf("safe"), unsafe: this.firstTokensOf("unsafe") };
    // A token that starts both words (a short vocabulary) would count for both: keep it out of either.
    this.decisionTokens.unsafe = this.decisionTokens.unsafe.filter((t) => !this.decisionTokens.safe.includes(t));
    this.decisionTokens.safe = this.decisionTokens.safe.filter((t) => !this.decisionTokens.unsafe.includes(t));
    this.newlineTokens = this.model.tokenize("\n", false);
  }

  /** The prompt text and token ids the engine would feed llama.cpp, without evaluating anything. */
  tokenizePrompt(prompt: BuiltPrompt<string>): Token[] {
    const tokens: Token[] = [];
    if (this.model.tokens.shouldPrependBosToken && this.model.tokens.bos != null) tokens.push(this.model.tokens.bos);
    for (const part of prompt.engineParts) {
      if (part.kind === "text") {
        // Special-token parsing off: `<|eot_id|>` typed inside a message stays plain text, never a control token.
        // Appended one by one: spreading a long turn's tokens into push() overflows the call stack (~100k arguments).
        for (const token of this.model.tokenize(part.text, false)) tokens.push(token);
        continue;
      }
      const special = this.model.tokenize(part.text, true);
      if (special.length !== 1) {
        throw new EngineError(
          "prompt-family-mismatch",
          `this model has no single special token for ${part.text}, which the ${prompt.family} prompt needs`,
          "Check the prompt family chosen for this model (--family).",
        );
      }
      tokens.push(special[0]!);
    }
    return tokens;
  }

  /**
   * The tokens of a text that continues an answer under way (`Harmful request:` after a newline, ` yes` after a
   * colon): no space prefix, so `yes` and ` yes` stay the two spellings they are.
   */
  continuationTokens(text: string): Token[] {
    return this.addsSpacePrefix ? this.model.tokenize(text, false, "trimLeadingSpace") : this.model.tokenize(text, false);
  }

  /** The text of one token as the model prints it (special tokens as their text). */
  pieceOf(token: Token): string {
    return this.model.detokenize([token], true);
  }

  /** Token ids from outside (an HTTP client): whole numbers inside the vocabulary, or llama.cpp would fail on them. */
  checkedTokens(tokens: readonly number[]): Token[] {
    const size = this.vocabularySize();
    const bad = tokens.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= size);
    if (bad !== -1) throw new EngineError("prompt-invalid", `token ${bad} of the prompt (${String(tokens[bad])}) is not an id of this model's ${size}-token vocabulary`);
    return tokens as Token[];
  }

  vocabularySize(): number {
    return this.model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? Number.MAX_SAFE_INTEGER;
  }

  /** First token of `word` as the model may start its answer: bare or after a space (`[/INST] safe`). */
  private firstTokensOf(word: string): Token[] {
    const variants = [word, ` ${word}`].map((text) => this.continuationTokens(text)[0]).filter((t): t is Token => t !== undefined);
    return [...new Set(variants)];
  }
}
