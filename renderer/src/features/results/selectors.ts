import type { GeneratedToken } from "../../../../shared/classify/result.ts";
import { findCategory } from "../../../../shared/taxonomy/index.ts";
import { memoSelector } from "../../store/memo.ts";
import type { AppState } from "../../store/types.ts";
import { conversationSelectors } from "../conversation/selectors.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";

const shown = (s: AppState) => s.results.shown;
const threshold = (s: AppState) => s.results.threshold;

/** Why Classify cannot run right now, in words for the button's description; undefined when it can. */
export function classifyBlocker(s: AppState): string | undefined {
  const engine = s.models.engine;
  if (engine.state === "loading") return "The model is still loading.";
  if (engine.state !== "ready" || !engine.model) return "A model is needed to classify: load one on the Models screen.";
  if (s.conversation.paste.state === "error") return "The pasted text could not be read: fix it (see the message under the box) or clear it.";
  if (s.conversation.turns.length === 0) return "Paste a conversation or pick a sample chat first.";
  const prepared = conversationSelectors.prepared(s);
  if (!prepared.ok) return prepared.error.message;
  const policy = s.policy.drafts[engine.model.family];
  if (!policy.categories.some((category) => category.enabled)) return `The ${FAMILY_LABELS[engine.model.family]} policy excludes every category.`;
  return undefined;
}

export interface CategoryHit {
  code: string;
  name: string;
}

export interface CategoryBar {
  code: string;
  name: string;
  p: number;
  violated: boolean;
}

const violatedCategories = memoSelector([shown], (current): CategoryHit[] =>
  (current?.result.categories ?? []).map((code) => ({ code, name: findCategory(current!.policy, code)?.name.trim() ?? code })),
);

const categoryBars = memoSelector([shown], (current): CategoryBar[] => {
  if (!current) return [];
  const violated = new Set(current.result.categories);
  return current.result.categoryScores.map(({ code, name, p }) => ({ code, name: name.trim(), p, violated: violated.has(code) }));
});

const tokens = (s: AppState): readonly GeneratedToken[] => s.results.shown?.result.tokens ?? NO_TOKENS;
const NO_TOKENS: readonly GeneratedToken[] = [];

/** The policy a Classify now would use: the loaded model family's draft. */
function classifyingPolicy(s: AppState) {
  const family = s.models.engine.state === "ready" ? s.models.engine.model?.family : undefined;
  return family && s.policy.drafts[family];
}

export const resultsSelectors = {
  classifyingPolicyName: (s: AppState) => classifyingPolicy(s)?.name,
  classifyingEnabledCount: (s: AppState) => classifyingPolicy(s)?.categories.filter((category) => category.enabled).length,
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
  tokens,
  copied: (s: AppState) => s.results.copied,
  classifyBlocker,
  /** the shown result was made with a policy other than the one the loaded model would use now */
  policyChangedSinceResult: memoSelector([shown, (s: AppState) => s.policy.drafts], (current, drafts) =>
    current ? JSON.stringify(drafts[current.policy.family]) !== JSON.stringify(current.policy) : false,
  ),
};
