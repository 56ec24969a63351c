/**
 * The one table of guard families. The engine, the UI and the CLI look a family up here and use its object; none of
 * them switches on family names. Adding a family: a folder under shared/families, its name in ids.ts, a line here.
 */
import { chatJudge } from "./chat-judge/index.ts";
import { CUSTOM_GUARD_ID, customGuardFamily, customGuardWithoutDefinition, type CustomGuardDefinition } from "./customGuard.ts";
import { presetPolicyFrom } from "./common.ts";
import { gptOssSafeguard } from "./gpt-oss-safeguard/index.ts";
import { graniteGuardian30, graniteGuardian31, graniteGuardian32, graniteGuardian33 } from "./granite-guardian/index.ts";
import { FAMILY_IDS, isFamilyId, type FamilyId } from "./ids.ts";
import { llamaGuard1, llamaGuard2, llamaGuard3_1b, llamaGuard3_8b } from "./llama-guard/index.ts";
import { llamaGuard4 } from "./llama-guard/lg4.ts";
import { nemoGuardContentSafety } from "./nemoguard/index.ts";
import { qwen3Guard } from "./qwen3guard/index.ts";
import { shieldGemma } from "./shieldgemma/index.ts";
import type { GuardFamily } from "./types.ts";
import { wildGuard } from "./wildguard/index.ts";
import type { Policy } from "../taxonomy/policy.ts";

/** Keyed by id; the type requires exactly one family per name of ids.ts, each carrying its own name as `id`. */
export const FAMILY_REGISTRY: { readonly [Id in FamilyId]: GuardFamily<Id> } = {
  "llama-guard-1": llamaGuard1,
  "llama-guard-2": llamaGuard2,
  "llama-guard-3-8b": llamaGuard3_8b,
  "llama-guard-3-1b": llamaGuard3_1b,
  "llama-guard-4": llamaGuard4,
  "chat-judge": chatJudge,
  shieldgemma: shieldGemma,
  "granite-guardian-3.0": graniteGuardian30,
  "granite-guardian-3.1": graniteGuardian31,
  "granite-guardian-3.2": graniteGuardian32,
  "granite-guardian-3.3": graniteGuardian33,
  wildguard: wildGuard,
  qwen3guard: qwen3Guard,
  "nemoguard-content-safety": nemoGuardContentSafety,
  "gpt-oss-safeguard": gptOssSafeguard,
  "custom-guard": customGuardWithoutDefinition,
};

/** Every family, in the order of ids.ts (the order the UI lists them in). */
export const FAMILIES: readonly GuardFamily<FamilyId>[] = FAMILY_IDS.map((id) => FAMILY_REGISTRY[id]);

export function familyOf<Id extends FamilyId>(id: Id): GuardFamily<Id> {
  return FAMILY_REGISTRY[id] as GuardFamily<Id>;
}

/** A model as the engine scores it: its family, and for a custom guard the definition saved with it. */
export interface FamilyOfModel {
  family: FamilyId;
  customGuard?: CustomGuardDefinition;
}

const customGuards = new WeakMap<CustomGuardDefinition, GuardFamily<typeof CUSTOM_GUARD_ID>>();

/**
 * The family object that scores a model: the registry's, or for a custom guard the one made from its definition (made
 * once per definition object, as the engine asks for it on every classification).
 */
export function guardFamilyOf(model: FamilyOfModel): GuardFamily<FamilyId> {
  const { family, customGuard } = model;
  if (family !== CUSTOM_GUARD_ID || customGuard === undefined) return FAMILY_REGISTRY[family];
  let made = customGuards.get(customGuard);
  if (!made) customGuards.set(customGuard, (made = customGuardFamily(customGuard)));
  return made;
}

/** The family of an untrusted name (a CLI flag, a stored row), or undefined. */
export function findFamily(id: unknown): GuardFamily<FamilyId> | undefined {
  return isFamilyId(id) ? FAMILY_REGISTRY[id] : undefined;
}

/** The family's default policy (every category of its preset, enabled as the preset says). A fresh object each call. */
export function familyPresetPolicy<Id extends FamilyId>(id: Id): Policy<Id> {
  return presetPolicyFrom(id, FAMILY_REGISTRY[id].taxonomy);
}
