export { FAMILY_IDS, PROMPT_FAMILIES, isFamilyId, isPromptFamily, type FamilyId, type PromptFamily } from "./ids.ts";
export { FAMILIES, FAMILY_REGISTRY, familyOf, familyPresetPolicy, findFamily } from "./registry.ts";
export { answerMeaning, primaryPoint, resolveDecision, resolveDecisionPoint, scoreDecision, type DecisionScores, type ResolvedAnswer, type ResolvedPoint, type Tokenize } from "./decision.ts";
export { combineCategoryVerdicts } from "./perCategory.ts";
export {
  SELF_CHECK_CONVERSATIONS,
  checkBuilderAgainstTemplate,
  describeDifference,
  modelTemplateCheck,
  promptFromTemplate,
  renderChatTemplate,
  type BuilderTemplateReport,
  type ModelTemplateCheck,
  type RenderOptions,
  type RenderResult,
  type TemplateCheck,
  type TemplateDifference,
  type TemplatePromptRequest,
} from "./embeddedTemplate.ts";
export { CUSTOM_GUARD_ID, customGuardFamily, customGuardSchema, parseCustomGuard, verdictPatternProblem, type CustomGuardDefinition, type ParseCustomGuardResult } from "./customGuard.ts";
export type * from "./types.ts";
