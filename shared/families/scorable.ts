/**
 * What to say about a model file of a guard family the engine cannot score yet (ShieldGemma, Granite Guardian …): its
 * builder, decision spec and parser exist in the registry, its engine path does not (see ids.ts, PROMPT_FAMILIES).
 */
import { FAMILY_REGISTRY } from "./registry.ts";
import { PROMPT_FAMILIES, type FamilyId } from "./ids.ts";

/** "Llama Guard 1, Llama Guard 2 … or a chat model as a judge": the families scored today, named for people. */
export function scorableFamiliesInWords(): string {
  const names = PROMPT_FAMILIES.map((id) => FAMILY_REGISTRY[id].displayName);
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export function unscorableFamilyMessage(fileName: string, detected: { family: FamilyId; reason: string }): string {
  const name = FAMILY_REGISTRY[detected.family].displayName;
  return `${fileName} is a ${name} model (${detected.reason}), and Guardbench cannot score ${name} yet: its engine scores ${scorableFamiliesInWords()} today`;
}
