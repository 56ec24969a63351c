/**
 * A server's completion with its log-probabilities, in one shape whatever the server (openaiCompletions.ts and
 * llamaServer.ts parse into it), and the bounds that top-k lists allow.
 */
import type { ModelIdentity } from "./servedModel.ts";

/** A token as a server names it: by id, by text, or both (vLLM's `return_tokens_as_token_ids` gives ids only). */
export interface ServerToken {
  id?: number;
  text?: string;
}

export interface ServerAlternative extends ServerToken {
  /** natural log; servers write -Infinity as a large negative number (vLLM: -9999) */
  logprob: number;
}

export interface ServerPosition {
  /** the token the server generated here */
  chosen: ServerAlternative;
  /** its top alternatives, as returned (any order, may omit the chosen token) */
  top: ServerAlternative[];
}

export interface ServerCompletion {
  /** one entry per generated token; may end with the end-of-generation token that stopped it (vLLM, llama-server) */
  positions: ServerPosition[];
  /** the generated text as the server decoded it */
  text: string;
  /** `stop` (end of generation or a stop string) or `length` (max tokens), when the server says */
  finishReason?: "stop" | "length";
  /** prompt length in tokens, when the server says */
  promptTokens?: number;
}

export interface CompletionSettings {
  maxTokens: number;
  /** alternatives to ask for per position */
  topLogprobs: number;
}

/** One server kind's way of asking for a completion (openaiCompletions.ts, llamaServer.ts). */
export interface CompletionClient {
  /** what the server says it runs (servedModel.ts); undefined when it does not say */
  servedModel?(signal?: AbortSignal): Promise<ModelIdentity | undefined>;
  /** `prompt` as token ids (sent as they are: no BOS is added) or as text (the server tokenises it and adds BOS) */
  complete(prompt: number[] | string, settings: CompletionSettings, signal?: AbortSignal): Promise<ServerCompletion>;
  /** resolves when the server answers its health or model-list route */
  probe(signal?: AbortSignal): Promise<void>;
}

/** Same token: by id when both sides know it, else by text. */
export function sameToken(a: ServerToken, b: ServerToken): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.text !== undefined && a.text === b.text;
}

export interface BoundedProbability {
  p: number;
  /** false: the token was not among the returned alternatives and `p` is an upper bound */
  exact: boolean;
}

/**
 * The distribution at one position as far as a server returned it. A token missing from the top-k list has a
 * probability of at most the smallest one returned (it ranked below all of them) and at most what the list leaves of 1.
 */
export class TopKDistribution {
  readonly alternatives: ReadonlyArray<ServerToken & { p: number }>;
  /** the upper bound on the probability of any token not in the list */
  readonly missingBound: number;

  constructor(position: ServerPosition) {
    const merged = [...position.top];
    if (!merged.some((alternative) => sameToken(alternative, position.chosen))) merged.push(position.chosen);
    // Most likely first; ties by id, as the local engine orders its top-k.
    this.alternatives = merged
      .map(({ logprob, ...token }) => ({ ...token, p: Math.exp(logprob) }))
      .sort((a, b) => b.p - a.p || (a.id ?? 0) - (b.id ?? 0));
    const total = this.alternatives.reduce((sum, a) => sum + a.p, 0);
    const smallest = this.alternatives.at(-1)?.p ?? 1;
    this.missingBound = Math.min(smallest, Math.max(0, 1 - total));
  }

  probabilityOf(token: ServerToken): BoundedProbability {
    const found = this.alternatives.find((alternative) => sameToken(alternative, token));
    return found ? { p: found.p, exact: true } : { p: this.missingBound, exact: false };
  }

  /** Summed over tokens that all count as one outcome (`unsafe` and ` unsafe`); exact only if each one is. */
  probabilityOfAny(tokens: readonly ServerToken[]): BoundedProbability {
    return tokens.map((token) => this.probabilityOf(token)).reduce((a, b) => ({ p: a.p + b.p, exact: a.exact && b.exact }), { p: 0, exact: true });
  }
}
