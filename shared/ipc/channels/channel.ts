/**
 * A channel's two halves, declared side by side in its domain's file: the request schema AppHost checks before any
 * handler runs (the renderer is untrusted input), and the type of the value the handler answers.
 */
import type { z } from "zod";

declare const answerType: unique symbol;

/**
 * The type a channel answers. It has no value at run time: answers are not validated (they come from the main side,
 * which is trusted), so only their type crosses into the contract. Answers read back from SQLite are parsed there
 * (electron/store) with the schema their type is derived from.
 */
export interface Answer<T> {
  readonly [answerType]?: T;
}

const NO_VALUE: Answer<never> = Object.freeze({});

export function answer<T>(): Answer<T> {
  return NO_VALUE;
}

export interface ChannelSpec {
  request: z.ZodType;
  answer: Answer<unknown>;
}

/** One domain's channels, `domain:verb` → spec. */
export type ChannelTable = Record<`${string}:${string}`, ChannelSpec>;

export type AnswerOf<S extends ChannelSpec> = S["answer"] extends Answer<infer T> ? T : never;
