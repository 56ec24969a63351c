/** The exact prompt the loaded model sees (handlers: electron/host/handlers/prompts.ts). */
import { answer, type ChannelTable } from "./channel.ts";
import { classifyInputSchema } from "./classify.ts";

export interface TokenizedPrompt {
  text: string;
  tokenCount: number;
  /** each token's text, in order (special tokens as their text) */
  pieces: string[];
}

export const promptChannels = {
  /** The exact prompt text and its token count under the loaded model's tokenizer. Fails with `no-model-loaded` otherwise. */
  "prompt:tokenize": { request: classifyInputSchema, answer: answer<TokenizedPrompt>() },
} as const satisfies ChannelTable;
