export { OPENAI_CATEGORY_DEFINITIONS, OPENAI_MODERATION_CATEGORIES, isOpenAiModerationCategory, openAiMappingSchema, type OpenAiMapping, type OpenAiModerationCategory } from "./categories.ts";
export { DEFAULT_OPENAI_MAPPINGS, defaultMappingReason, defaultOpenAiMapping, type FamilyMappingDoc, type MappingLine } from "./defaultMappings.ts";
export { keysFedBy, parseMappingCodes, resolveMapping, type ResolvedMapping } from "./mapping.ts";
export { toModerationResult, toOpenAiModerationExport, type ModerationPolicy } from "./convert.ts";
export { MAX_MODERATION_INPUTS, moderationTexts, type ModerationTexts } from "./input.ts";
export { OPENAI_MODEL_ALIASES, formatModelName, parseModelName, type ModelNameParse, type ModelSelection } from "./modelName.ts";
export {
  guardbenchExtensionSchema,
  moderationRequestSchema,
  moderationResponseSchema,
  moderationResultSchema,
  type GuardbenchModerationExtension,
  type ModerationRequest,
  type ModerationResponse,
  type ModerationResult,
  type OpenAiErrorBody,
  type PolicyCategoryReport,
} from "./api.ts";
