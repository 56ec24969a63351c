/**
 * The conversation to classify: a paste box that detects the format (and never loses the text), the parsed turns as
 * an editable list, what to check, and sample chats to start from.
 */
import { useId, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { UploadButton } from "../../components/FileChoiceControls.tsx";
import { useFileDrop } from "../../components/fileDrop.ts";
import { Kbd, Panel } from "../../components/Panel.tsx";
import { TurnEditor } from "../../components/TurnEditor.tsx";
import { useAppStore } from "../../store/index.ts";
import { SAMPLE_CHATS } from "./samples.ts";
import { conversationSelectors } from "./selectors.ts";
import { CHECK_MODES, ROLES } from "./slice.ts";

export function ConversationPanel() {
  return (
    <Panel title="Conversation" actions={<SamplePicker />}>
      <PasteBox />
      <CheckChooser />
      <TurnList />
    </Panel>
  );
}

function SamplePicker() {
  const loadSample = useAppStore((s) => s.loadSample);
  const [chosen, setChosen] = useState(SAMPLE_CHATS[0]!.id);
  return (
    <div className="inline-form sample-picker">
      <select className="select select-small" aria-label="Sample chat" value={chosen} onChange={(event) => setChosen(event.target.value)}>
        {SAMPLE_CHATS.map((sample) => (
          <option key={sample.id} value={sample.id}>
            {sample.title}
          </option>
        ))}
      </select>
      <button type="button" className="button button-small" onClick={() => loadSample(chosen)}>
        Use sample
      </button>
    </div>
  );
}

function PasteBox() {
  const boxId = useId();
  const statusId = useId();
  const text = useAppStore(conversationSelectors.pasteText);
  const paste = useAppStore(conversationSelectors.paste);
  const detected = useAppStore(conversationSelectors.detectedSummary);
  const fileError = useAppStore(conversationSelectors.fileError);
  const setPasteText = useAppStore((s) => s.setPasteText);
  const readFile = useAppStore((s) => s.readConversationFile);
  const clear = useAppStore((s) => s.clearConversation);
  const hasTurns = useAppStore(conversationSelectors.turnCount) > 0;
  const drop = useFileDrop((file) => void readFile(file));
  return (
    <div className="field">
      <div className="field-label-row">
        <label htmlFor={boxId} className="field-label">
          Paste a conversation
        </label>
        <div className="inline-form">
          <UploadButton label="Open a file…" accept=".txt,.json,.jsonl,.md,text/plain,application/json" onFile={(file) => void readFile(file)} />
          {text !== "" && (
            <button type="button" className="link-button" onClick={clear}>
              Clear
            </button>
          )}
        </div>
      </div>
      <textarea
        id={boxId}
        className={`textarea paste-box mono${drop.over ? " drop-target-over" : ""}`}
        rows={7}
        spellCheck={false}
        value={text}
        aria-describedby={statusId}
        aria-invalid={paste.state === "error" ? true : undefined}
        placeholder={"User: How do I kill a stuck Python process?\n\nAssistant: Find its PID with ps, then run kill <PID>.\n\nOr a bare message, or drop a file here."}
        onChange={(event) => setPasteText(event.target.value)}
        {...drop.handlers}
      />
      {fileError && <ErrorMessage error={{ message: fileError }} title="Could not open the file" />}
      <div id={statusId} className="paste-status">
        {paste.state === "error" ? (
          <ErrorMessage
            error={{
              message: paste.error.message,
              hint: hasTurns
                ? "Your text is kept as it is. Fix it and the turns below update; until then they show the last conversation that could be read."
                : "Your text is kept as it is. Fix it and its turns appear below.",
            }}
            title={paste.error.line ? `Could not read the conversation (line ${paste.error.line})` : "Could not read the conversation"}
          />
        ) : (
          <p role="status" className="status-line">
            {detected ?? "Nothing pasted yet. Paste a transcript (“User: …”), OpenAI messages JSON, JSON lines, ChatML, Llama 3 chat tokens or a bare message, drop a file, start from a sample, or add turns by hand."}
          </p>
        )}
        <PlainTextRole />
        {paste.state === "parsed" && paste.warnings.length > 0 && (
          <ul className="warnings">
            {paste.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** Plain text is the user's prompt; one click (Alt+U) makes it the assistant's response instead, and back. */
function PlainTextRole() {
  const isPlain = useAppStore(conversationSelectors.isPlainText);
  const role = useAppStore(conversationSelectors.plainTextRole);
  const setRole = useAppStore((s) => s.setPlainTextRole);
  if (!isPlain) return null;
  const other = role === "user" ? "assistant" : "user";
  return (
    <button type="button" className="button button-small" aria-keyshortcuts="Alt+U" onClick={() => setRole(other)}>
      {other === "assistant" ? "Make it an assistant turn" : "Make it a user turn"} <Kbd>Alt+U</Kbd>
    </button>
  );
}

function CheckChooser() {
  const check = useAppStore(conversationSelectors.check);
  const setCheck = useAppStore((s) => s.setCheck);
  return (
    <fieldset className="check-chooser">
      <legend className="field-label">Check</legend>
      <div className="segmented">
        {CHECK_MODES.map(({ mode, label, description }) => (
          <label key={mode} className={`segment${check === mode ? " segment-selected" : ""}`}>
            <input type="radio" name="check-mode" value={mode} checked={check === mode} onChange={() => setCheck(mode)} />
            <span>
              {label}
              {description && <span className="segment-hint"> ({description})</span>}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function TurnList() {
  const turns = useAppStore(conversationSelectors.turns);
  const notes = useAppStore(conversationSelectors.turnNotes);
  const prepared = useAppStore(conversationSelectors.prepared);
  const edited = useAppStore(conversationSelectors.editedSincePaste);
  const editTurn = useAppStore((s) => s.editTurn);
  return (
    <div className="turns">
      <div className="turns-header">
        <h3 className="subheading">
          Turns <span className="count">{turns.length}</span>
        </h3>
        {edited && <span className="muted small">Edited by hand since the paste</span>}
        <button type="button" className="button button-small" onClick={() => editTurn({ type: "add" })}>
          Add turn
        </button>
      </div>
      {turns.length > 0 && !prepared.ok && <ErrorMessage error={{ message: prepared.error.message }} title="This conversation cannot be classified yet" />}
      {prepared.ok && prepared.warnings.length > 0 && (
        <ul className="warnings" aria-label="About these turns">
          {prepared.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {turns.length === 0 ? (
        <p className="empty">No turns yet.</p>
      ) : (
        <ol className="turn-list" aria-label="Turns">
          {turns.map((turn, index) => (
            <TurnEditor
              key={turn.id}
              index={index}
              count={turns.length}
              role={turn.role}
              content={turn.content}
              roles={ROLES}
              note={notes[index]}
              onContentChange={(content) => editTurn({ type: "setContent", id: turn.id, content })}
              onRoleChange={(role) => editTurn({ type: "setRole", id: turn.id, role })}
              onMove={(by) => editTurn({ type: "move", id: turn.id, by })}
              onRemove={() => editTurn({ type: "remove", id: turn.id })}
              onAddAfter={() => editTurn({ type: "add", afterId: turn.id })}
            />
          ))}
        </ol>
      )}
    </div>
  );
}
