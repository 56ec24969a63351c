/** Choosing a family's settings by id (the CLI's `--setting`, a run's `familySettings`): one wording for an id it lacks. */
import type { PromptFamily } from "../taxonomy/index.ts";
import { familyOf } from "./registry.ts";

/** `unknown setting "strict" (Qwen3Guard-Gen has controversialIsUnsafe)`, or undefined when the family has that setting. */
export function unknownSettingProblem(family: PromptFamily, id: string): string | undefined {
  const { settings, displayName } = familyOf(family);
  if (settings.some((setting) => setting.id === id)) return undefined;
  const offered = settings.length === 0 ? `${displayName} has no settings` : `${displayName} has ${settings.map((setting) => setting.id).join(", ")}`;
  return `unknown setting "${id}" (${offered})`;
}
