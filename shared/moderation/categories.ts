/**
 * OpenAI's moderation categories, exactly as `/v1/moderations` names them (openai-node 6.x,
 * `resources/moderations.d.ts`, `Moderation.Categories`), in the order OpenAI's reference lists them. A leaf module:
 * the policy schema (shared/taxonomy/policy.ts) imports it while its own module is still loading.
 */
import { z } from "zod";

export const OPENAI_MODERATION_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/instructions",
  "self-harm/intent",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;

export type OpenAiModerationCategory = (typeof OPENAI_MODERATION_CATEGORIES)[number];

export function isOpenAiModerationCategory(value: unknown): value is OpenAiModerationCategory {
  return typeof value === "string" && (OPENAI_MODERATION_CATEGORIES as readonly string[]).includes(value);
}

/**
 * Which OpenAI categories a policy's codes feed: for each OpenAI key, the policy codes whose scores make it. A key that
 * is absent (or lists no code) has no source in the policy: it is reported `false` / `0` and named as unmapped.
 */
export type OpenAiMapping = Partial<Record<OpenAiModerationCategory, string[]>>;

/** A mapping as a policy file stores it. Unknown keys are errors (a misspelt key must not pass as "no source"). */
export const openAiMappingSchema = z.partialRecord(
  z.enum(OPENAI_MODERATION_CATEGORIES, { error: (issue) => `${JSON.stringify(issue.input)} is not an OpenAI moderation category (expected one of ${OPENAI_MODERATION_CATEGORIES.join(", ")})` }),
  z.array(z.string({ error: "a mapped code must be a string" }).min(1).max(200), { error: "each OpenAI category maps to a list of policy codes" }).max(100),
);

/** OpenAI's one-line definitions (openai-node's doc comments), shown beside the mapping editor. */
export const OPENAI_CATEGORY_DEFINITIONS: Record<OpenAiModerationCategory, string> = {
  harassment: "Harassing language towards any target.",
  "harassment/threatening": "Harassment that also includes violence or serious harm towards any target.",
  hate: "Hate based on race, gender, ethnicity, religion, nationality, sexual orientation, disability status, or caste.",
  "hate/threatening": "Hateful content that also includes violence or serious harm towards the targeted group.",
  illicit: "Instructions or advice that facilitate wrongdoing or illicit acts (e.g. how to shoplift).",
  "illicit/violent": "Illicit instructions that also include violence, or advice on the procurement of any weapon.",
  "self-harm": "Promotes, encourages, or depicts acts of self-harm, such as suicide, cutting, and eating disorders.",
  "self-harm/instructions": "Encourages performing acts of self-harm, or gives instructions or advice on how to commit them.",
  "self-harm/intent": "The speaker expresses that they are engaging or intend to engage in acts of self-harm.",
  sexual: "Meant to arouse sexual excitement, or promotes sexual services (excluding sex education and wellness).",
  "sexual/minors": "Sexual content that includes an individual who is under 18 years old.",
  violence: "Depicts death, violence, or physical injury.",
  "violence/graphic": "Depicts death, violence, or physical injury in graphic detail.",
};
