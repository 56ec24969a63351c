/**
 * The Classify screen, the analyst's home: the model picker on top (as in LM Studio), the conversation on the left,
 * the result (and the exact prompt) on the right, the Classify action with its re-classify-after-edits option, and the
 * category strip for quick exclusions.
 */
import { useId } from "react";
import { Kbd } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { ConversationPanel } from "../conversation/ConversationPanel.tsx";
import { ModelPicker } from "../models/ModelPicker.tsx";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { NewerVersionNotice } from "../policy/NewerVersionNotice.tsx";
import { CategoryStrip } from "./CategoryStrip.tsx";
import { ResultPanel } from "./ResultPanel.tsx";
import { resultsSelectors } from "./selectors.ts";

export function ClassifyScreen() {
  return (
    <div className="screen">
      <header className="screen-header classify-header">
        <div>
          <h1 className="screen-title">Classify</h1>
          <p className="screen-description">Paste a chat or a bare message, and read what the guard model decides and why.</p>
        </div>
        <ModelPicker />
      </header>
      <ClassifyingPolicyNotice />
      <div className="classify-toolbar">
        <ClassifyAction />
        <CategoryStrip />
      </div>
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
  const autoClassify = useAppStore(resultsSelectors.autoClassify);
  const setAutoClassify = useAppStore((s) => s.setAutoClassify);
  const family = useAppStore(resultsSelectors.classifyingFamily);
  const enabledCount = useAppStore(resultsSelectors.classifyingEnabledCount);
  const policyName = useAppStore(resultsSelectors.classifyingPolicyName);
  const blocked = blocker !== undefined || running;
  return (
    <div className="classify-action">
      <div className="button-row">
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
        <label className="checkbox" title="Alt+A">
          <input type="checkbox" checked={autoClassify} onChange={(event) => setAutoClassify(event.target.checked)} aria-keyshortcuts="Alt+A" />
          Re-classify after edits
        </label>
      </div>
      {blocker ? (
        <p id={reasonId} className="classify-blocker">
          {blocker}
        </p>
      ) : (
        policyName && (
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

function ClassifyingPolicyNotice() {
  const family = useAppStore(resultsSelectors.classifyingFamily);
  return <NewerVersionNotice family={family} />;
}
