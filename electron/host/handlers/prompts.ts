import { ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function promptHandlers({ engineControl }: HostServices): HandlerGroup {
  return {
    name: "prompts",
    handlers: {
      // Counting tokens needs the loaded model's tokenizer; the prompt text alone the renderer builds itself (shared/prompts).
      "prompt:tokenize": async (request) => {
        const { text, tokens, pieces } = await engineControl.tokenize(request);
        return ok({ text, tokenCount: tokens.length, pieces });
      },
    },
  };
}
