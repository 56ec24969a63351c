/**
 * The exact prompt text, line by line, with the lines a policy changed versus the preset marked: added or rewritten
 * lines highlighted, preset lines it dropped shown struck through (they are NOT in the prompt). The marks are also
 * spelled out for screen readers, since colour alone says nothing to them.
 */
import type { LineMark } from "../lib/lineDiff.ts";

const MARK_LABEL: Record<LineMark, string> = { same: "", added: "changed by the policy: ", removed: "removed by the policy, not in the prompt: " };
const MARK_SIGN: Record<LineMark, string> = { same: " ", added: "+", removed: "−" };

export function PromptLines({ lines, label }: { lines: ReadonlyArray<{ text: string; mark: LineMark }>; label: string }) {
  return (
    <pre className="prompt" aria-label={label} tabIndex={0}>
      {lines.map((line, index) => (
        <span key={index} className={`prompt-line prompt-line-${line.mark}`} data-mark={line.mark === "same" ? undefined : line.mark}>
          <span className="prompt-sign" aria-hidden="true">
            {MARK_SIGN[line.mark]}
          </span>
          {line.mark !== "same" && <span className="visually-hidden">{MARK_LABEL[line.mark]}</span>}
          {line.text === "" ? " " : line.text}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
