/**
 * The Hugging Face token for gated repos. The field is a password field, cleared once saved; the token goes to the
 * main side and is never sent back (only whether one is present, and from where).
 */
import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { modelsSelectors } from "./selectors.ts";

const SOURCE_TEXT = {
  environment: "A token from the HF_TOKEN environment variable is used.",
  stored: "A token is stored on this machine.",
  none: "No token: gated models (most Meta originals) cannot be downloaded yet.",
} as const;

export function TokenPanel() {
  const inputId = useId();
  const token = useAppStore(modelsSelectors.token);
  const error = useAppStore(modelsSelectors.tokenError);
  const needsToken = useAppStore(modelsSelectors.needsToken);
  const setHfToken = useAppStore((s) => s.setHfToken);
  const clearHfToken = useAppStore((s) => s.clearHfToken);
  const [value, setValue] = useState("");

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (value.trim() === "") return;
    if (await setHfToken(value.trim())) setValue("");
  }

  return (
    <Panel title="Hugging Face token">
      {needsToken && <p className="message message-info">A download needs a token. Paste a read token and download again.</p>}
      <p className="small" role="status">
        {token ? SOURCE_TEXT[token.source] : "Checking for a token…"}
      </p>
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <label htmlFor={inputId} className="field-label">
          Access token
        </label>
        <input id={inputId} className="input" type="password" autoComplete="off" spellCheck={false} value={value} placeholder="hf_…" onChange={(event) => setValue(event.target.value)} />
        <button type="submit" className="button button-small">
          Save token
        </button>
        {token?.source === "stored" && (
          <button type="button" className="button button-quiet button-small" onClick={() => void clearHfToken()}>
            Remove token
          </button>
        )}
      </form>
      {error && <ErrorMessage error={error} />}
    </Panel>
  );
}
