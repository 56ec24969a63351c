/** The Classify screen: the conversation on the left, the result on the right, the Classify action on top. */
import { useId } from "react";
import { Kbd, ScreenHeader } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { ConversationPanel } from "../conversation/ConversationPanel.tsx";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { modelsSelectors } from "../models/selectors.ts";
import { ResultPanel } from "./ResultPanel.tsx";
import { resultsSelectors } from "./selectors.ts";

export function ClassifyScreen() {
  return (
    <div className="screen">
      <ScreenHeader title="Classify" description="Paste or build a conversation, then see what the guard model decides and why.">
        <ClassifyAction />
      </ScreenHeader>
      <div className="classify-layout">
        <ConversationPanel />
        <ResultPanel />
      </div>
    </div>
  );
}

function ClassifyAction() {
  const reasonId = useId();
  const blocker = useAppStore(resultsSelectors.classifyBlocker);
  const running = useAppStore(resultsSelectors.running);
  const classify = useAppStore((s) => s.classify);
  const cancelClassify = useAppStore((s) => s.cancelClassify);
  const navigate = useAppStore((s) => s.navigate);
  const family = useAppStore(modelsSelectors.readyFamily);
  const enabledCount = useAppStore(resultsSelectors.classifyingEnabledCount);
  const policyName = useAppStore(resultsSelectors.classifyingPolicyName);
  const blocked = blocker !== undefined || running;
  return (
    <div className="classify-action">
      <button
        type="button"
        className="button button-primary"
        aria-disabled={blocked}
        aria-describedby={blocker ? reasonId : undefined}
        aria-keyshortcuts="Control+Enter Meta+Enter"
        onClick={() => !blocked && void classify()}
      >
        {running ? "Classifying…" : "Classify"}
        <span aria-hidden="true">
          <Kbd>Ctrl+Enter</Kbd>
        </span>
      </button>
      {running && (
        <button type="button" className="button" aria-keyshortcuts="Escape" onClick={() => void cancelClassify()}>
          Cancel
          <span aria-hidden="true">
            <Kbd>Esc</Kbd>
          </span>
        </button>
      )}
      {blocker ? (
        <p id={reasonId} className="classify-blocker">
          {blocker}
        </p>
      ) : (
        family && (
          <p className="classify-blocker">
            {FAMILY_LABELS[family]} with “{policyName}”, {enabledCount} categories ·{" "}
            <button type="button" className="link-button" onClick={() => navigate("policy")}>
              Edit policy
            </button>
          </p>
        )
      )}
    </div>
  );
}
