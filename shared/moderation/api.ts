/**
 * `/v1/moderations` request and response in OpenAI's exact shape (openai-node 6.x `resources/moderations.d.ts`:
 * `ModerationCreateParams`, `ModerationCreateResponse`, `Moderation`), plus Guardbench's extension field, which OpenAI
 * clients ignore. The request schema is strict: a misspelt field is an error, not silently ignored.
 */
import { z } from "zod";
import { OPENAI_MODERATION_CATEGORIES, type OpenAiModerationCategory } from "./categories.ts";

export const textPartSchema = z.strictObject({ type: z.literal("text"), text: z.string({ error: "a text part's text must be a string" }) });
export const imagePartSchema = z.object({ type: z.literal("image_url"), image_url: z.object({ url: z.string() }).passthrough() }).passthrough();
const contentPartSchema = z.discriminatedUnion("type", [textPartSchema, imagePartSchema], {
  error: 'each content part must be {"type": "text", "text": …} or {"type": "image_url", "image_url": {"url": …}}',
});

export const moderationRequestSchema = z.strictObject({
  model: z.string({ error: "model must be a string" }).optional(),
  input: z.union([z.string(), z.array(z.string()), z.array(contentPartSchema)], {
    error: (issue) => (issue.input === undefined ? "input is required: a string, an array of strings, or an array of content parts" : "input must be a string, an array of strings, or an array of content parts"),
  }),
});

export type ModerationRequest = z.infer<typeof moderationRequestSchema>;
export type ContentPart = z.infer<typeof contentPartSchema>;

const byCategory = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(OPENAI_MODERATION_CATEGORIES.map((key) => [key, value])) as Record<OpenAiModerationCategory, T>);

/** One policy category as the extension reports it: nothing of the policy's own answer is lost in the mapping. */
export const policyCategoryReportSchema = z.strictObject({
  code: z.string(),
  name: z.string(),
  /** the category's score: P(the model names it | unsafe) × P(unsafe) for forced-prefix families, its own P for per-category prompts */
  score: z.number(),
  /** the model named it in its verdict */
  violated: z.boolean(),
  /** the OpenAI keys it feeds under the policy's mapping */
  openai_categories: z.array(z.enum(OPENAI_MODERATION_CATEGORIES)),
});

export const guardbenchExtensionSchema = z.strictObject({
  verdict: z.enum(["safe", "unsafe", "unparseable"]),
  /** the score compared with the threshold (P(unsafe) for Llama Guard) */
  score: z.number(),
  threshold: z.number(),
  policy: z.strictObject({ name: z.string(), family: z.string(), version: z.number().int().positive().optional() }),
  policy_categories: z.array(policyCategoryReportSchema),
  /** OpenAI keys no category of this policy feeds: always false / 0, never guessed */
  unmapped_openai_categories: z.array(z.enum(OPENAI_MODERATION_CATEGORIES)),
  /**
   * How `categories` was decided: `verdict` (the categories the model named), `likeliest-category` (flagged, but the
   * answer named none: the category the model names first after a forced `unsafe`), `none` (not flagged).
   */
  categories_from: z.enum(["verdict", "likeliest-category", "none"]),
  /** tokens of the prompt the model evaluated */
  prompt_tokens: z.number().int().nonnegative(),
  unparseable_reason: z.string().optional(),
});

export const moderationResultSchema = z.strictObject({
  flagged: z.boolean(),
  categories: byCategory(z.boolean()),
  category_scores: byCategory(z.number().min(0).max(1)),
  category_applied_input_types: byCategory(z.array(z.enum(["text", "image"]))),
  guardbench: guardbenchExtensionSchema,
});

export const moderationResponseSchema = z.strictObject({
  id: z.string(),
  model: z.string(),
  results: z.array(moderationResultSchema),
});

export type PolicyCategoryReport = z.infer<typeof policyCategoryReportSchema>;
export type GuardbenchModerationExtension = z.infer<typeof guardbenchExtensionSchema>;
export type ModerationResult = z.infer<typeof moderationResultSchema>;
export type ModerationResponse = z.infer<typeof moderationResponseSchema>;

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | number | null };
}
