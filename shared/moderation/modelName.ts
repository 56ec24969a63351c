/**
 * The `model` of a moderation request: `<model>[:<policy>[@v<N>]]` — a served model, optionally a saved policy by
 * name, optionally one version of it (the latest otherwise). `llama-guard-3-1b:acme@v3` is model `llama-guard-3-1b`,
 * policy `acme`, version 3. The model is split off at the first `:` (policy names may contain `:`; model names never
 * need one); a trailing `@v<N>` is the version.
 *
 * OpenAI's own model names (`omni-moderation-latest`, `text-moderation-stable` …) and an omitted `model` select the
 * server's default, so a product that sends a hard-coded OpenAI name switches by its base URL alone.
 */
export interface ModelSelection {
  /** undefined: the server's default model */
  model?: string;
  policy?: { name: string; version?: number };
}

export type ModelNameParse = { ok: true; selection: ModelSelection } | { ok: false; message: string };

/** OpenAI's moderation model names, answered with the server's default model and policy. */
export const OPENAI_MODEL_ALIASES: readonly string[] = ["omni-moderation-latest", "omni-moderation-2024-09-26", "text-moderation-latest", "text-moderation-stable", "text-moderation-007"];

const VERSION_SUFFIX = /@v(\d+)$/;

export function parseModelName(name: string | undefined): ModelNameParse {
  if (name === undefined || OPENAI_MODEL_ALIASES.includes(name)) return { ok: true, selection: {} };
  const trimmed = name.trim();
  if (trimmed === "") return { ok: false, message: "model is empty: leave it out for the default, or send <model>[:<policy>[@v<N>]]" };
  const colon = trimmed.indexOf(":");
  if (colon === -1) return { ok: true, selection: { model: trimmed } };
  const model = trimmed.slice(0, colon).trim();
  let policyName = trimmed.slice(colon + 1);
  let version: number | undefined;
  const match = VERSION_SUFFIX.exec(policyName);
  if (match) {
    version = Number(match[1]);
    if (!Number.isSafeInteger(version) || version < 1) return { ok: false, message: `policy version in ${JSON.stringify(name)} must be @v1 or higher` };
    policyName = policyName.slice(0, match.index);
  } else if (/@v\S*$/.test(policyName)) {
    return { ok: false, message: `policy version in ${JSON.stringify(name)} must be @v followed by a number, e.g. @v3` };
  }
  policyName = policyName.trim();
  if (model === "") return { ok: false, message: `no model before ":" in ${JSON.stringify(name)}: send <model>:<policy>` };
  if (policyName === "") return { ok: false, message: `no policy after ":" in ${JSON.stringify(name)}: send <model>:<policy>[@v<N>], or <model> alone` };
  return { ok: true, selection: { model, policy: { name: policyName, ...(version === undefined ? {} : { version }) } } };
}

/** The canonical name of a selection, as responses report it and `/v1/models` lists it. */
export function formatModelName(model: string, policy?: { name: string; version?: number }): string {
  if (!policy) return model;
  return `${model}:${policy.name}${policy.version === undefined ? "" : `@v${policy.version}`}`;
}
