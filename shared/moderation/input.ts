/**
 * A moderation request's `input` as the texts to classify, one per result. As OpenAI answers it: a string is one
 * input; an array of strings is one input each; an array of content parts is ONE input (its text parts joined by a
 * line break). Guardbench's guard models judge text only, so an image part is refused with a message naming that.
 */
import type { ModerationRequest } from "./api.ts";

/** Most inputs in one request; more wait on the client side, so one request cannot hold the whole queue. */
export const MAX_MODERATION_INPUTS = 256;

export type ModerationTexts = { ok: true; texts: string[] } | { ok: false; message: string; param: string };

export function moderationTexts(input: ModerationRequest["input"], maxChars: number): ModerationTexts {
  const texts: string[] = [];
  if (typeof input === "string") texts.push(input);
  else if (input.length === 0) return { ok: false, message: "input is an empty array: send at least one string", param: "input" };
  else if (typeof input[0] === "string") texts.push(...(input as string[]));
  else {
    const parts = input as Exclude<ModerationRequest["input"], string | string[]>;
    const image = parts.findIndex((part) => part.type === "image_url");
    if (image !== -1) {
      return {
        ok: false,
        param: `input[${image}]`,
        message: `input[${image}] is an image: Guardbench's guard models classify text only. Send the text parts alone (images are not scored, and no image is ever fetched).`,
      };
    }
    texts.push(parts.map((part) => (part.type === "text" ? part.text : "")).join("\n"));
  }
  if (texts.length > MAX_MODERATION_INPUTS) return { ok: false, param: "input", message: `input has ${texts.length} strings; at most ${MAX_MODERATION_INPUTS} are taken per request` };
  for (const [index, text] of texts.entries()) {
    const param = typeof input === "string" ? "input" : `input[${index}]`;
    if (text.trim() === "") return { ok: false, param, message: `${param} is empty: there is nothing to classify` };
    if (text.length > maxChars) return { ok: false, param, message: `${param} is ${text.length} characters; at most ${maxChars} are taken` };
  }
  return { ok: true, texts };
}
