/**
 * A run's family settings (Qwen3Guard: Count Controversial as flagged): chosen when it is started, shown with it. They
 * change P(unsafe), so a run with another setting is scored anew rather than taking another run's scores.
 */
import { effectiveSettings } from "../../../../shared/families/decision.ts";
import { familyOf } from "../../../../shared/families/registry.ts";
import type { RunSummary } from "../../../../shared/ipc/index.ts";
import type { PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { FamilySettingsFieldset } from "../../components/FamilySettingsFieldset.tsx";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";

export type ChosenSettings = Readonly<Record<string, boolean>>;

/** Every setting of the family at the value ticked, else its default; undefined for a family without settings. */
export function runFamilySettings(family: PromptFamily | undefined, chosen: ChosenSettings): Record<string, boolean> | undefined {
  const declared = family ? familyOf(family).settings : [];
  return declared.length === 0 ? undefined : effectiveSettings(declared, chosen);
}

/** The family's settings as checkboxes, each at its default until ticked; nothing for a family without settings. */
export function RunFamilySettings({ family, chosen, onChange, legend }: { family: PromptFamily | undefined; chosen: ChosenSettings; onChange(chosen: ChosenSettings): void; legend?: string }) {
  if (!family) return null;
  const choices = familyOf(family).settings.map((setting) => ({ ...setting, value: chosen[setting.id] ?? setting.default }));
  return <FamilySettingsFieldset legend={legend ?? `${FAMILY_LABELS[family]} settings`} choices={choices} onChange={(id, value) => onChange({ ...chosen, [id]: value })} />;
}

/** "Count Controversial as flagged: on", for each setting of the run's family; undefined when it has none. */
export function runFamilySettingsText(run: Pick<RunSummary, "model" | "settings">): string | undefined {
  const declared = familyOf(run.model.family).settings;
  if (declared.length === 0) return undefined;
  const values = effectiveSettings(declared, run.settings.familySettings);
  return declared.map((setting) => `${setting.label}: ${values[setting.id] ? "on" : "off"}`).join(" · ");
}
