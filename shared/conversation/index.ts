// The public API of shared/conversation: read pasted chats, then fit them to Llama Guard's role rules.
export { parseConversation, type ParseOptions } from "./parse.ts";
export { prepareForClassification } from "./rules.ts";
export {
  CHAT_FORMATS,
  type ChatFormat,
  type CheckMode,
  type ClassificationTarget,
  type Conversation,
  type GuardRole,
  type GuardTurn,
  type ParseError,
  type ParseErrorCode,
  type ParseResult,
  type PrepareError,
  type PrepareErrorCode,
  type PrepareResult,
  type Role,
  type Turn,
} from "./types.ts";
