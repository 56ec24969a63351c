import type { PromptFamily } from "../taxonomy/index.ts";

export interface TokenAlternative {
  /** the token id; -1 when a remote server in text mode named the token only by its text */
  id: number;
  text: string;
  /**
   * exact probability: float64 softmax over the raw logits of the whole vocabulary (local engine); from a remote server,
   * the probability it returned (see ClassificationResult.probabilitySource)
   */
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
  /** set when `p` is an upper bound: a remote server's top-k list left out a token of the code */
  bound?: "upper-bound";
}

/**
 * Which values are bounds rather than exact. A remote server returns only its top-k alternatives per position; a
 * decision token missing from them has a probability of at most min(smallest returned, 1 − sum returned), and that bound
 * is what is reported.
 */
export interface PartialValues {
  pUnsafe?: "upper-bound";
  pSafe?: "upper-bound";
  /** the ratio of a bound and an exact value (or of two bounds) is neither exact nor a bound */
  pUnsafeNormalized?: "approximate";
}

/** How a remote server was asked (absent for the local engine). */
export interface RemoteScoring {
  /** the endpoint's name (RemoteEndpoint.name) */
  endpoint: string;
  /** the served model name */
  model: string;
  /**
   * `token-ids`: the prompt was tokenised here with the model's vocabulary, exactly as the local engine does, and sent
   * as ids. `text`: the server tokenised the prompt text itself (no local copy of the model); user content containing
   * special-token text is refused in this mode, and per-category scores are not derived.
   */
  promptEncoding: "token-ids" | "text";
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
  /** why categoryScores is empty, when it is empty on purpose (e.g. a remote server in text mode) */
  categoryScoresUnavailable?: string;
  /** `exact` (the local engine; also when absent) or the top-k log-probabilities a remote server returned */
  probabilitySource?: "exact" | "server-top-k";
  /** values that are bounds, not exact; absent when every value is exact for its source */
  partial?: PartialValues;
  /** set when a remote server scored the conversation */
  remote?: RemoteScoring;
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
  /** alternatives recorded per generated token, within {@link TOP_K_RANGE}; 0 records none */
  topK?: number;
  /** stop generating after this many tokens even without an end-of-turn token */
  maxTokens?: number;
}

/**
 * The one range of top-k every face accepts (the contract's schemas, `classify --top-k`, `run --top-k`): 0 means "no
 * alternatives"; 50 is as many as `guardbench worker` returns by default.
 */
export const TOP_K_RANGE = { min: 0, max: 50 } as const;

export const DEFAULT_CLASSIFY_OPTIONS: Required<ClassifyOptions> = { threshold: 0.5, topK: 5, maxTokens: 24 };
