import type { TokenStatus } from "../../../shared/ipc/contract.ts";
import { ok } from "../../../shared/ipc/result.ts";
import { assertPlausibleToken } from "../../models/tokenStore.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

/** The token itself never crosses the boundary: the renderer can set or clear it, and learn only whether one is there. */
export function hubTokenHandlers({ env, tokenStore }: HostServices): HandlerGroup {
  const status = async (): Promise<TokenStatus> => {
    if (env.HF_TOKEN?.trim()) return { present: true, source: "environment" };
    return (await tokenStore.get()) ? { present: true, source: "stored" } : { present: false, source: "none" };
  };
  return {
    name: "hf-token",
    handlers: {
      "hf:token-status": async () => ok(await status()),
      "hf:token-set": async ({ token }) => {
        const cleaned = token.trim();
        assertPlausibleToken(cleaned);
        await tokenStore.set(cleaned);
        return ok(await status());
      },
      "hf:token-clear": async () => {
        await tokenStore.clear();
        return ok(await status());
      },
    },
  };
}
