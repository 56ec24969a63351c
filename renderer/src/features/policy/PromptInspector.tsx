/**
 * The live prompt inspector: the exact text the model will get for the current conversation and policy (shared
 * buildPrompt, the same builder the engine uses), lines the policy changed versus the preset marked, and the token
 * count from the loaded model's tokenizer.
 */
import { useEffect } from "react";
import { ErrorMessage, InfoMessage } from "../../components/ErrorMessage.tsx";
import { Panel } from "../../components/Panel.tsx";
import { PromptLines } from "../../components/PromptLines.tsx";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "./familyLabels.ts";
import { policySelectors, type TokenCountView } from "./selectors.ts";

/** Typing pauses this long before the main side is asked to count again. */
const COUNT_DEBOUNCE_MS = 250;

export function PromptInspector() {
  const prompt = useAppStore(policySelectors.inspectedPrompt);
  const countView = useAppStore(policySelectors.tokenCountView);
  const countPromptTokens = useAppStore((s) => s.countPromptTokens);
  const family = useAppStore(policySelectors.family);

  const wantsCount = countView.kind === "counting";
  useEffect(() => {
    if (!wantsCount) return;
    const timer = setTimeout(() => void countPromptTokens(), COUNT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [wantsCount, prompt.text, countPromptTokens]);

  return (
    <Panel title="Prompt inspector" className="inspector" actions={<TokenCount view={countView} />}>
      <p className="muted small">
        Exactly what {FAMILY_LABELS[family]} receives.{" "}
        {prompt.changedLines > 0 ? (
          <>
            <span className="legend-added">Highlighted</span> lines differ from the preset; <span className="legend-removed">struck-through</span> preset lines are left out.
          </>
        ) : (
          "Identical to the preset's prompt."
        )}
      </p>
      {prompt.placeholderReason && <InfoMessage>Showing a placeholder conversation: {prompt.placeholderReason}</InfoMessage>}
      {prompt.error ? <ErrorMessage error={{ message: prompt.error }} title="The prompt cannot be built" /> : <PromptLines lines={prompt.lines} label="Prompt text" />}
    </Panel>
  );
}

function TokenCount({ view }: { view: TokenCountView }) {
  const text = tokenCountText(view);
  return (
    <span className={`token-count${view.kind === "counted" ? " token-count-known" : ""}`} role="status" aria-label="Token count" title={view.kind === "failed" ? view.hint : undefined}>
      {text}
    </span>
  );
}

function tokenCountText(view: TokenCountView): string {
  switch (view.kind) {
    case "needs-model":
      return "Load a model to count tokens";
    case "other-family":
      return `Token count needs a ${FAMILY_LABELS[view.modelFamily]} policy (the loaded model)`;
    case "no-prompt":
      return "No prompt to count";
    case "counting":
      return "Counting tokens…";
    case "counted":
      return `${view.count.toLocaleString()} tokens`;
    case "failed":
      return `Could not count tokens: ${view.message}`;
  }
}
