export { FAMILY_IDS, PROMPT_FAMILIES, isFamilyId, isPromptFamily, type FamilyId, type PromptFamily } from "./families.ts";
export {
  MAX_CATEGORY_CODE_LENGTH,
  categoryCodeProblem,
  categoryNameProblem,
  familyPolicySchema,
  findCategory,
  parseFamilyPolicy,
  parsePolicy,
  policySchema,
  sameCode,
  validatePolicy,
  type ParsePolicyResult,
  type Policy,
  type PolicyCategory,
  type PolicyError,
} from "./policy.ts";
export { cardInfo, isPresetCode, presetPolicy, type CardInfo } from "./presets.ts";
export {
  addCategory,
  applyPolicyEdit,
  describeCategory,
  excludeCategories,
  moveCategory,
  removeCategory,
  renameCategory,
  setCategoryEnabled,
  splitCategoryCodes,
  suggestNextCode,
  type NewCategory,
  type PolicyEdit,
  type PolicyEditErrorCode,
  type PolicyEditResult,
} from "./edits.ts";
export { diffPolicies, type CategoryChange, type PolicyDiff } from "./diff.ts";
