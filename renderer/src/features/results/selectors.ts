import type { GeneratedToken } from "../../../../shared/classify/result.ts";
import { prepareForClassification, type CheckMode } from "../../../../shared/conversation/index.ts";
import { buildPrompt, type PromptPart } from "../../../../shared/prompts/index.ts";
import { findCategory, type PromptFamily } from "../../../../shared/taxonomy/index.ts";
import { effectiveSettings } from "../../../../shared/families/decision.ts";
import { familyOf } from "../../../../shared/families/registry.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { conversationSelectors } from "../conversation/selectors.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import type { ClassifyInputs } from "./slice.ts";

const shown = (s: AppState) => s.results.shown;
const threshold = (s: AppState) => s.results.threshold;

/** The family a Classify now would use: the loaded model's, else the one being edited (quick exclude edits its draft). */
export function classifyingFamily(s: AppState): PromptFamily {
  return (s.models.engine.state === "ready" ? s.models.engine.model?.family : undefined) ?? s.policy.family;
}

/** Why Classify cannot run right now, in words for the button's description; undefined when it can. */
export function classifyBlocker(s: AppState): string | undefined {
  const engine = s.models.engine;
  if (engine.state === "loading") return "The model is still loading.";
  if (engine.state !== "ready" || !engine.model) return "A model is needed to classify: pick one in the model picker above (Ctrl+L).";
  if (s.conversation.paste.state === "error") return "The pasted text could not be read: fix it (see the message under the box) or clear it.";
  if (s.conversation.turns.length === 0) return "Paste a conversation or pick a sample chat first.";
  const prepared = conversationSelectors.prepared(s);
  if (!prepared.ok) return prepared.error.message;
  const policy = s.policy.drafts[engine.model.family];
  // A family without categories (a custom guard's own) judges on its own; a policy whose categories are all excluded asks nothing.
  if (policy.categories.length > 0 && !policy.categories.some((category) => category.enabled)) return `The ${FAMILY_LABELS[engine.model.family]} policy excludes every category.`;
  return undefined;
}

const readyModel = (s: AppState) => (s.models.engine.state === "ready" ? s.models.engine.model : undefined);

/** What a Classify now would be computed from (see ClassifyInputs). */
export const currentInputs = memoSelector(
  [conversationSelectors.plainTurns, conversationSelectors.check, readyModel, (s: AppState) => s.policy.drafts, (s: AppState) => s.policy.family, (s: AppState) => s.results.familySettings],
  (turns, check, model, drafts, editedFamily, chosenSettings): ClassifyInputs => {
    const family = model?.family;
    return {
      turns,
      check,
      policy: drafts[family ?? editedFamily],
      familySettings: effectiveSettings(familyOf(family ?? editedFamily).settings, chosenSettings),
      ...(model ? { modelPath: model.path, family: model.family } : {}),
    };
  },
);

/** The settings the loaded model's family offers, each with its value now. */
export const familySettingChoices = memoSelector([classifyingFamily, (s: AppState) => s.results.familySettings], (family, chosen) =>
  familyOf(family).settings.map((setting) => ({ ...setting, value: chosen[setting.id] ?? setting.default })),
);

/** One string per distinct set of inputs: equal keys, equal classifications. */
export function inputsKey(inputs: ClassifyInputs): string {
  return JSON.stringify([inputs.turns, inputs.check, inputs.policy, inputs.modelPath ?? null, inputs.family ?? null, inputs.familySettings]);
}

export const currentInputsKey = memoSelector([currentInputs], inputsKey);

/** What changed since the shown result was made, first in the order a user edits things; undefined while it is current. */
export type Staleness = "conversation" | "check" | "policy" | "model" | "no-model" | "family-settings";

const staleness = memoSelector([shown, currentInputs], (current, now): Staleness | undefined => {
  if (!current) return undefined;
  const then = current.inputs;
  if (JSON.stringify(then.turns) !== JSON.stringify(now.turns)) return "conversation";
  if (then.check !== now.check) return "check";
  if (!now.modelPath) return "no-model";
  if (then.modelPath !== now.modelPath || then.family !== now.family) return "model";
  if (JSON.stringify(then.policy) !== JSON.stringify(now.policy)) return "policy";
  if (JSON.stringify(then.familySettings) !== JSON.stringify(now.familySettings)) return "family-settings";
  return undefined;
});

const STALE_TEXT: Record<Staleness, string> = {
  conversation: "The conversation changed since this result — Ctrl+Enter to classify again",
  check: "The check mode changed since this result — Ctrl+Enter to classify again",
  policy: "The policy changed since this result — Ctrl+Enter to classify again",
  model: "The model changed since this result — Ctrl+Enter to classify again",
  "no-model": "No model is loaded now — pick one (Ctrl+L) to classify again",
  "family-settings": "The family's settings changed since this result — Ctrl+Enter to classify again",
};

export interface CategoryHit {
  code: string;
  name: string;
  /** enabled in the policy a Classify now would use (quick exclude toggles it) */
  enabledNow: boolean;
}

export interface CategoryBar {
  code: string;
  name: string;
  p: number;
  violated: boolean;
  enabledNow: boolean;
}

const classifyingPolicy = (s: AppState) => s.policy.drafts[classifyingFamily(s)];

const violatedCategories = memoSelector([shown, classifyingPolicy], (current, now): CategoryHit[] =>
  (current?.result.categories ?? []).map((code) => ({
    code,
    name: findCategory(current!.policy, code)?.name.trim() ?? code,
    enabledNow: findCategory(now, code)?.enabled ?? false,
  })),
);

const categoryBars = memoSelector([shown, classifyingPolicy], (current, now): CategoryBar[] => {
  if (!current) return [];
  const violated = new Set(current.result.categories);
  return current.result.categoryScores.map(({ code, name, p }) => ({ code, name: name.trim(), p, violated: violated.has(code), enabledNow: findCategory(now, code)?.enabled ?? false }));
});

/** The compact category strip: every category of the policy a Classify now would use. */
const categoryStrip = memoSelector([classifyingPolicy], (policy) => policy.categories.map(({ code, name, enabled }) => ({ code, name: name.trim(), enabled })));

const tokens = (s: AppState): readonly GeneratedToken[] => s.results.shown?.result.tokens ?? NO_TOKENS;
const NO_TOKENS: readonly GeneratedToken[] = [];

const CHECK_LABELS: Record<CheckMode, string> = { last: "last turn", prompt: "last user turn (prompt)", response: "last assistant turn (response)" };

export interface PromptView {
  text: string;
  tokenCount: number;
  /** the prompt split into text and special tokens, when the builder reproduces the recorded text (it always should) */
  parts?: PromptPart[];
  /** the turns the prompt holds, numbered as in the conversation (system turns and turns after the checked one are not in it) */
  turns: Array<{ number: number; role: "user" | "assistant"; content: string }>;
  /** turns of the conversation that the prompt leaves out */
  leftOut: number;
}

/** The Prompt tab: the shown result's exact prompt, its tokens, and the turns in it. */
const promptView = memoSelector([shown], (current): PromptView | undefined => {
  if (!current) return undefined;
  const { result, inputs } = current;
  const prepared = prepareForClassification({ turns: inputs.turns }, inputs.check);
  const included = prepared.ok ? prepared.turns : [];
  // The prepared turns keep their order; find each one's number in the conversation as the user numbered it.
  let searchFrom = 0;
  const numbered = included.map((turn) => {
    const index = inputs.turns.findIndex((candidate, i) => i >= searchFrom && candidate.role === turn.role && candidate.content === turn.content);
    searchFrom = index + 1;
    return { number: index + 1, role: turn.role, content: turn.content };
  });
  const rebuilt = prepared.ok && inputs.family ? buildPrompt(inputs.family, prepared.turns, current.policy) : undefined;
  const parts = rebuilt?.ok && rebuilt.prompt.text === result.prompt.text ? rebuilt.prompt.parts : undefined;
  return { text: result.prompt.text, tokenCount: result.prompt.tokenCount, ...(parts ? { parts } : {}), turns: numbered, leftOut: inputs.turns.length - numbered.length };
});

export const resultsSelectors = {
  classifyingPolicyName: (s: AppState) => (readyModel(s) ? classifyingPolicy(s).name : undefined),
  classifyingEnabledCount: (s: AppState) => (readyModel(s) ? classifyingPolicy(s).categories.filter((category) => category.enabled).length : undefined),
  classifyingFamily,
  familySettingChoices,
  running: (s: AppState) => s.results.running,
  error: (s: AppState) => s.results.error,
  shown,
  result: (s: AppState) => s.results.shown?.result,
  threshold,
  /** recomputed from the slider, not taken from the run: moving the threshold re-flags the shown result */
  flagged: (s: AppState) => {
    const result = s.results.shown?.result;
    return result ? result.score >= s.results.threshold : undefined;
  },
  violatedCategories,
  categoryBars,
  categoryStrip,
  tokens,
  copied: (s: AppState) => s.results.copied,
  classifyBlocker,
  staleness,
  /** the sentence the stale marker shows, undefined while the result is current */
  staleText: (s: AppState) => {
    const reason = staleness(s);
    return reason && STALE_TEXT[reason];
  },
  autoClassify: (s: AppState) => s.results.autoClassify,
  tab: (s: AppState) => s.results.tab,
  promptView,
  checkLabel: (check: CheckMode) => CHECK_LABELS[check],
};
