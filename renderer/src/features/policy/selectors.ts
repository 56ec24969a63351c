import { customGuardSelectors } from "../customGuard/selectors.ts";
import type { Turn } from "../../../../shared/conversation/index.ts";
import type { Req } from "../../../../shared/ipc/index.ts";
import { buildPromptText } from "../../../../shared/prompts/index.ts";
import { embeddedTemplateOptions } from "../../../../shared/families/embeddedTemplate.ts";
import { cardInfo, diffPolicies, isPresetCode, type Policy, type PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { resolveMapping } from "../../../../shared/moderation/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { conversationSelectors } from "../conversation/selectors.ts";
import { modelsSelectors } from "../models/selectors.ts";
import { diffLines, type MarkedLine } from "../../lib/lineDiff.ts";
import { PRESETS } from "./presets.ts";
import type { CategoryView } from "../../components/CategoryEditor.tsx";

/** Shown in the inspector until there is a conversation that fits a Llama Guard prompt. */
export const PLACEHOLDER_TURNS: readonly Turn[] = [{ role: "user", content: "(The conversation you classify goes here. Paste one on the Classify screen.)" }];

const family = (s: AppState) => s.policy.family;
const drafts = (s: AppState) => s.policy.drafts;
const origins = (s: AppState) => s.policy.origins;
const draft = (s: AppState) => s.policy.drafts[s.policy.family];

export interface InspectedPrompt {
  /** the conversation could not be used (empty, or breaks the role rules): the placeholder is shown instead */
  placeholderReason?: string;
  /** the prompt could not be built (an invalid policy): why */
  error?: string;
  text: string;
  /** `text` line by line, marked against the family preset's prompt for the same conversation */
  lines: MarkedLine[];
  changedLines: number;
  /** what `prompt:tokenize` needs to count exactly this prompt */
  tokenizeInput?: Req<"prompt:tokenize">;
}

const inspectedPrompt = memoSelector(
  [family, draft, conversationSelectors.prepared, conversationSelectors.plainTurns, conversationSelectors.check, modelsSelectors.loadedChatTemplate, customGuardSelectors.loadedReport],
  (promptFamily, policy, prepared, turns, check, chatTemplate, customGuardReport): InspectedPrompt => {
    const placeholderReason = prepared.ok ? undefined : prepared.error.message;
    const shownTurns = prepared.ok ? prepared.turns : PLACEHOLDER_TURNS;
    // Llama Guard 4's prompt is the loaded file's template; the other families ignore it.
    // A custom guard: its definition, and its file's template (known to its report also for a file outside the library).
    const customGuard = customGuardReport?.definition;
    const options = { ...embeddedTemplateOptions(chatTemplate ?? customGuardReport?.embeddedTemplate), ...(customGuard && { customGuard }) };
    const built = buildPromptText(promptFamily, shownTurns, policy, options);
    if (!built.ok) return { placeholderReason, error: built.error.message, text: "", lines: [], changedLines: 0 };
    const preset = buildPromptText(promptFamily, shownTurns, PRESETS[promptFamily], options);
    const text = built.value.text;
    const lines = preset.ok ? diffLines(preset.value.text, text) : text.split("\n").map((line) => ({ text: line, mark: "same" as const }));
    const tokenizeInput: Req<"prompt:tokenize"> = prepared.ok ? { turns, policy, check } : { turns: [...PLACEHOLDER_TURNS], policy };
    return { placeholderReason, text, lines, changedLines: lines.filter((line) => line.mark !== "same").length, tokenizeInput };
  },
);

/** The request that counts the inspected prompt's tokens, when the loaded model can count it. */
export function tokenizeRequest(s: AppState): { text: string; input: Req<"prompt:tokenize"> } | undefined {
  const prompt = inspectedPrompt(s);
  if (!prompt.tokenizeInput || modelsSelectors.readyFamily(s) !== s.policy.family) return undefined;
  return { text: prompt.text, input: prompt.tokenizeInput };
}

export type TokenCountView =
  | { kind: "needs-model" }
  | { kind: "other-family"; modelFamily: PromptFamily }
  | { kind: "no-prompt" }
  | { kind: "counting" }
  | { kind: "counted"; count: number }
  | { kind: "failed"; message: string; hint?: string };

const tokenCountView = memoSelector(
  [modelsSelectors.readyFamily, family, inspectedPrompt, (s: AppState) => s.policy.tokenCount],
  (modelFamily, policyFamily, prompt, count): TokenCountView => {
    if (!modelFamily) return { kind: "needs-model" };
    if (modelFamily !== policyFamily) return { kind: "other-family", modelFamily };
    if (!prompt.tokenizeInput) return { kind: "no-prompt" };
    if (count.status === "idle" || count.text !== prompt.text || count.status === "counting") return { kind: "counting" };
    if (count.status === "failed") return { kind: "failed", message: count.error.message, hint: count.error.hint };
    return { kind: "counted", count: count.count };
  },
);

const samePolicy = (a: Policy, b: Policy) => JSON.stringify(a) === JSON.stringify(b);

export type { CategoryView };

const categoryViews = memoSelector([draft], (policy): CategoryView[] =>
  policy.categories.map((category) => {
    const card = cardInfo(policy.family, category.code);
    return { ...category, isPreset: isPresetCode(policy.family, category.code), cardName: card?.cardName, cardDescription: card?.cardDescription };
  }),
);

export interface NewerSavedVersion {
  name: string;
  /** the version the draft came from */
  from: number;
  version: number;
}

/**
 * A saved version of the policy `family`'s draft came from that is newer than the one it came from (saved since, in
 * another window or by the CLI): the restored draft must not silently stand in for it. Undefined once the user chose to
 * keep the draft over that version.
 */
export function newerSavedVersion(s: AppState, promptFamily: PromptFamily): NewerSavedVersion | undefined {
  return findNewerVersion(s.policy.origins, s.policy.saved, s.policy.keptOverNewer, promptFamily);
}

function findNewerVersion(
  byFamily: AppState["policy"]["origins"],
  saved: AppState["policy"]["saved"],
  kept: AppState["policy"]["keptOverNewer"],
  promptFamily: PromptFamily,
): NewerSavedVersion | undefined {
  const origin = byFamily[promptFamily];
  if (!origin) return undefined;
  const summary = saved.find((candidate) => candidate.name === origin.name);
  if (!summary || summary.latestVersion <= origin.version || kept[promptFamily] === summary.latestVersion) return undefined;
  return { name: origin.name, from: origin.version, version: summary.latestVersion };
}

const newerVersionSelectors = new Map<PromptFamily, (s: AppState) => NewerSavedVersion | undefined>();

export const policySelectors = {
  /** see newerSavedVersion; one memoised selector per family, so a notice re-renders only when its answer changes */
  newerSavedVersionOf(promptFamily: PromptFamily): (s: AppState) => NewerSavedVersion | undefined {
    let selector = newerVersionSelectors.get(promptFamily);
    if (!selector) {
      selector = memoSelector([origins, (s: AppState) => s.policy.saved, (s: AppState) => s.policy.keptOverNewer], (byFamily, saved, kept) =>
        findNewerVersion(byFamily, saved, kept, promptFamily),
      );
      newerVersionSelectors.set(promptFamily, selector);
    }
    return selector;
  },
  family,
  draft,
  drafts,
  /** the draft a given family would classify with */
  draftFor: (promptFamily: PromptFamily) => (s: AppState) => s.policy.drafts[promptFamily],
  origin: (s: AppState) => s.policy.origins[s.policy.family],
  /** changed since it was opened or saved (a preset draft never saved counts as unsaved only once edited) */
  isUnsaved: memoSelector([draft, family, origins], (policy, promptFamily, byFamily) => {
    const origin = byFamily[promptFamily];
    return origin ? !samePolicy(origin.policy, policy) : !samePolicy(PRESETS[promptFamily], policy);
  }),
  changesFromPreset: memoSelector([draft, family], (policy, promptFamily) => diffPolicies(PRESETS[promptFamily], policy)),
  categoryViews,
  enabledCount: (s: AppState) => draft(s).categories.filter((category) => category.enabled).length,
  categoryCount: (s: AppState) => draft(s).categories.length,
  saved: (s: AppState) => s.policy.saved,
  savedError: (s: AppState) => s.policy.savedError,
  saving: (s: AppState) => s.policy.saving === "busy",
  saveError: (s: AppState) => s.policy.saveError,
  versionDiff: (s: AppState) => s.policy.versionDiff,
  importError: (s: AppState) => s.policy.importError,
  inspectedPrompt,
  tokenCountView,
  /** the OpenAI moderation mapping the draft answers `/v1/moderations` with (its own, or the family's default) */
  openAiMapping: memoSelector([draft], (policy) => resolveMapping(policy)),
};
