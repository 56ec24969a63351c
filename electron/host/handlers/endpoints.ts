import { err, ok } from "../../../shared/ipc/result.ts";
import { DEFAULT_ENDPOINT_CONCURRENCY } from "../../store/index.ts";
import { probeEndpoint } from "../../endpoints/probe.ts";
import { withKey } from "../../endpoints/savedEndpoints.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

/**
 * Saved remote endpoints. The API key goes one way: `endpoints:save` hands it to the secret store (a 0600 file, or the
 * OS keychain in the app) and every answer only says `hasApiKey`; the database never holds it.
 */
export function endpointHandlers({ store, secretStore }: HostServices): HandlerGroup {
  return {
    name: "endpoints",
    handlers: {
      "endpoints:list": async () => ok({ endpoints: store.endpoints.list() }),
      "endpoints:save": async ({ name, baseUrl, kind, model, apiKey, clearApiKey, concurrency }) => {
        const existing = store.endpoints.find(name);
        // The key first: a row saying hasApiKey never points at a key that failed to be written.
        if (apiKey !== undefined) await secretStore.set(name, apiKey);
        else if (clearApiKey) await secretStore.delete(name);
        const hasApiKey = apiKey !== undefined || (!clearApiKey && Boolean(existing?.hasApiKey));
        const saved = store.endpoints.save({ name, baseUrl, kind, model, concurrency: concurrency ?? existing?.concurrency ?? DEFAULT_ENDPOINT_CONCURRENCY, hasApiKey });
        return ok(saved);
      },
      "endpoints:remove": async ({ name }) => {
        const removed = store.endpoints.remove(name);
        await secretStore.delete(name);
        return ok({ name, removed });
      },
      "endpoints:test": async ({ name }) => {
        const info = store.endpoints.find(name);
        if (!info) return err("not-found", `no saved endpoint is named ${JSON.stringify(name)}`, "Save it first (endpoints:save); endpoints:list shows the saved ones.");
        return ok(await probeEndpoint(await withKey(info, secretStore)));
      },
    },
  };
}
