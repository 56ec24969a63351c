/** Import and export of a policy as a JSON file: a file picker and a download, never the network. */
import { useRef } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { policySelectors } from "./selectors.ts";

export function PolicyFileActions() {
  const fileInput = useRef<HTMLInputElement>(null);
  const importPolicyJson = useAppStore((s) => s.importPolicyJson);
  const exportPolicyJson = useAppStore((s) => s.exportPolicyJson);
  const importError = useAppStore(policySelectors.importError);

  async function onFile(file: File | undefined) {
    if (!file) return;
    importPolicyJson(await file.text());
    // Choosing the same file again must fire change again.
    if (fileInput.current) fileInput.current.value = "";
  }

  return (
    <Panel title="Import and export" headingLevel={2}>
      <div className="button-row">
        <label className="button file-button">
          Import JSON…
          <input ref={fileInput} type="file" accept="application/json,.json" className="visually-hidden" aria-label="Import policy JSON" onChange={(event) => void onFile(event.target.files?.[0])} />
        </label>
        <button type="button" className="button" onClick={exportPolicyJson}>
          Export JSON
        </button>
      </div>
      {importError && <ErrorMessage error={{ message: importError }} title="Could not import" />}
    </Panel>
  );
}
