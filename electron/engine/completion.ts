/**
 * Raw completions and vocabulary facts: what the engine worker offers beyond classification, so that `guardbench worker`
 * can serve an OpenAI-compatible completions API and a remote engine can tokenise prompts exactly as the local engine
 * does. Plain data, no node-llama-cpp types.
 */

export interface TokenLogprob {
  id: number;
  /** the token's text as the model prints it (special tokens as their text) */
  piece: string;
  /** natural log of the exact probability (float64 softmax over the raw logits); -Infinity only on underflow */
  logprob: number;
}

export interface CompletionStep extends TokenLogprob {
  /** the most likely tokens at this position, most likely first (ties: lowest id first) */
  top: TokenLogprob[];
}

export interface TokenCompletion {
  /**
   * greedily generated tokens; when finishReason is `stop`, the last is the end-of-generation token that stopped it
   * (its position's distribution is part of the answer, as in vLLM's log-probabilities)
   */
  steps: CompletionStep[];
  /** `stop`: an end-of-generation token came; `length`: maxTokens were generated */
  finishReason: "stop" | "length";
  promptTokens: number;
}

export interface CompleteTokensParams {
  /** the whole prompt as token ids, BOS included where the model wants one: nothing is added */
  tokens: number[];
  maxTokens: number;
  /** alternatives recorded per generated position (0: none) */
  topK: number;
}

export interface VocabularyFacts {
  /** tokens in the vocabulary: every valid id is below this */
  size: number;
  /** first tokens of "safe"/" safe" and "unsafe"/" unsafe", as the local engine sums them for P(safe) and P(unsafe) */
  decisionTokens: { safe: number[]; unsafe: number[] };
  /** "\n" as the model tokenises it (the line break of the forced `unsafe\n` prefix) */
  newlineTokens: number[];
  /** every end-of-generation token (EOS, EOT, …) */
  endOfGenerationTokens: number[];
}

export interface TokenizeTextsParams {
  texts: string[];
  /** parse special-token text (`<|eot_id|>`) as control tokens, as servers do with a text prompt */
  parseSpecial: boolean;
  /** prepend BOS when the model wants one */
  addBos: boolean;
}

export interface DescribedTokens {
  /** each token's text, special tokens as their text */
  pieces: string[];
  /** the tokens detokenised together (which may differ from the joined pieces for SentencePiece vocabularies) */
  text: string;
}
