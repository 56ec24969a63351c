import type { PromptFamily } from "../taxonomy/index.ts";

export interface TokenAlternative {
  id: number;
  text: string;
  /** exact probability: float64 softmax over the raw logits of the whole vocabulary */
  p: number;
}

export interface GeneratedToken extends TokenAlternative {
  /** the most likely tokens at this position, most likely first (the generated token is among them when it ranks in the top k) */
  top: TokenAlternative[];
}

export interface CategoryScore {
  code: string;
  name: string;
  /**
   * P(the model names this code first | it answered `unsafe\n`): the product of the code's token probabilities after the
   * forced prefix. Derived, not a calibrated per-category classifier (ARCHITECTURE.md, "Per-category scores").
   */
  p: number;
}

export type VerdictKind = "safe" | "unsafe" | "unparseable";

export interface ClassificationResult {
  verdict: VerdictKind;
  /** violated category codes named by the model (empty unless unsafe) */
  categories: string[];
  /** why the output could not be parsed, when verdict is unparseable */
  unparseableReason?: string;
  /** P(first decision token is `unsafe`) — the model cards' classifier score */
  pUnsafe: number;
  pSafe: number;
  /** pUnsafe / (pUnsafe + pSafe) */
  pUnsafeNormalized: number;
  /** the score compared with the threshold: pUnsafe */
  score: number;
  threshold: number;
  flagged: boolean;
  categoryScores: CategoryScore[];
  /** how categoryScores were obtained, for display */
  categoryScoresMethod: "forced-prefix";
  /** every generated token, in order, up to and excluding the end-of-turn token */
  tokens: GeneratedToken[];
  /** index in `tokens` of the position where the model decided safe/unsafe (after leading whitespace such as LG3's `\n\n`) */
  decisionTokenIndex: number;
  /** the generated text that was parsed as the verdict */
  outputText: string;
  /** which turn was assessed */
  target: "prompt" | "response";
  prompt: { text: string; tokenCount: number };
  model: { path: string; family: PromptFamily };
  timingsMs: { prompt: number; generation: number; categories: number; total: number };
}

export interface ClassifyOptions {
  /** decision threshold on pUnsafe; 0.5 as in the model cards */
  threshold?: number;
  /** alternatives recorded per generated token */
  topK?: number;
  /** stop generating after this many tokens even without an end-of-turn token */
  maxTokens?: number;
}

export const DEFAULT_CLASSIFY_OPTIONS: Required<ClassifyOptions> = { threshold: 0.5, topK: 5, maxTokens: 24 };
