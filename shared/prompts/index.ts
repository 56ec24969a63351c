export { buildPrompt, buildPromptText, promptTextOf, renderForEngine, splitEngineParts, type PromptText } from "./build.ts";
export { chatJudgeMessages } from "./chatJudge.ts";
export { checkedRoleOf } from "./conversation.ts";
export { renderCategoryLines } from "./llamaGuard.ts";
export { joinParts, splitPartsAt, type PromptPart } from "./parts.ts";
export { PYTHON_WHITESPACE, isPythonWhitespace, pythonStrip } from "./pythonStrip.ts";
export type { BuildPromptOptions, BuildPromptResult, BuiltPrompt, CheckedRole, PromptError, PromptErrorCode } from "./types.ts";
