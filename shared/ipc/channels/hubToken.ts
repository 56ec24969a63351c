/** The Hugging Face token (handlers: electron/host/handlers/hubToken.ts); the token itself never leaves the main side. */
import { z } from "zod";
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

export interface TokenStatus {
  present: boolean;
  /** HF_TOKEN in the environment wins over the stored token */
  source: "environment" | "stored" | "none";
}

export const hubTokenChannels = {
  /** whether a Hugging Face token is available and where from (the token itself never leaves the main side) */
  "hf:token-status": { request: noFields, answer: answer<TokenStatus>() },
  "hf:token-set": { request: z.strictObject({ token: z.string().min(1, "the token is empty").max(1000) }), answer: answer<TokenStatus>() },
  "hf:token-clear": { request: noFields, answer: answer<TokenStatus>() },
} as const satisfies ChannelTable;
