/**
 * The generated tokens, each coloured by its probability (grey while a batch run's result has not had its token
 * details computed: they come when the run's model is loaded and the result is opened). Every token is a focusable button; hovering OR focusing it
 * shows its top-k alternatives in a tooltip the token points to with aria-describedby, so keyboard and screen-reader
 * users get the same information as mouse users. Arrow keys move between tokens, Esc hides the tooltip.
 */
import { useId, useRef, useState, type KeyboardEvent } from "react";
import { hasTokenDetails, type GeneratedToken } from "../../../shared/classify/result.ts";
import { formatProbability, visibleToken } from "./format.ts";

/** 0–9: ten colour steps, low probability (the model was unsure) to high. */
export function heatLevel(p: number): number {
  return Math.min(9, Math.max(0, Math.floor(p * 10)));
}

export function TokenHeatMap({ tokens, decisionTokenIndex }: { tokens: readonly GeneratedToken[]; decisionTokenIndex: number }) {
  const baseId = useId();
  const [openIndex, setOpenIndex] = useState<number | undefined>(undefined);
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step !== 0) {
      event.preventDefault();
      buttons.current[Math.min(tokens.length - 1, Math.max(0, index + step))]?.focus();
    } else if (event.key === "Escape" && openIndex !== undefined) {
      // Esc hides the tooltip first; a second Esc reaches the app's own handler.
      event.stopPropagation();
      setOpenIndex(undefined);
    }
  }

  if (tokens.length === 0) return <p className="muted">The model generated no tokens.</p>;

  return (
    <div className="heatmap">
      <ol className="heatmap-tokens" aria-label="Generated tokens">
        {tokens.map((token, index) => {
          const tooltipId = `${baseId}-tip-${index}`;
          const isDecision = index === decisionTokenIndex;
          return (
            <li key={index} className="heatmap-item" onMouseEnter={() => setOpenIndex(index)} onMouseLeave={() => setOpenIndex((open) => (open === index ? undefined : open))}>
              <button
                type="button"
                ref={(element) => {
                  buttons.current[index] = element;
                }}
                className={`token ${token.p === undefined ? "heat-pending" : `heat-${heatLevel(token.p)}`}${isDecision ? " token-decision" : ""}`}
                data-testid={`token-${index}`}
                aria-label={`Token ${index + 1}${isDecision ? " (decision)" : ""}: ${JSON.stringify(token.text)}, ${token.p === undefined ? "p not computed yet" : `p = ${formatProbability(token.p)}`}`}
                aria-describedby={openIndex === index ? tooltipId : undefined}
                onFocus={() => setOpenIndex(index)}
                onBlur={() => setOpenIndex((open) => (open === index ? undefined : open))}
                onKeyDown={(event) => onKeyDown(event, index)}
              >
                {visibleToken(token.text)}
              </button>
              {openIndex === index && <TokenAlternatives id={tooltipId} token={token} />}
            </li>
          );
        })}
      </ol>
      <HeatLegend />
    </div>
  );
}

function TokenAlternatives({ id, token }: { id: string; token: GeneratedToken }) {
  if (!hasTokenDetails(token)) {
    return (
      <div role="tooltip" id={id} className="tooltip">
        <div className="tooltip-title">
          <span className="mono">{visibleToken(token.text)}</span>
        </div>
        <p className="muted">Not computed yet: a batch run computes this token&apos;s probability and alternatives when its result is opened while the run&apos;s model is loaded and free.</p>
      </div>
    );
  }
  return (
    <div role="tooltip" id={id} className="tooltip">
      <div className="tooltip-title">
        <span className="mono">{visibleToken(token.text)}</span> p = {formatProbability(token.p)}
      </div>
      {token.top.length === 0 ? (
        <p className="muted">No alternatives were recorded.</p>
      ) : (
        <table className="alternatives">
          <caption className="visually-hidden">Top {token.top.length} alternatives</caption>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">p</th>
            </tr>
          </thead>
          <tbody>
            {token.top.map((alternative) => (
              <tr key={alternative.id} className={alternative.id === token.id ? "alternative-chosen" : undefined}>
                <td className="mono">{visibleToken(alternative.text)}</td>
                <td className="numeric">{formatProbability(alternative.p)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function HeatLegend() {
  return (
    <div className="heat-legend" aria-hidden="true">
      <span>p = 0</span>
      {Array.from({ length: 10 }, (_, level) => (
        <span key={level} className={`heat-swatch heat-${level}`} />
      ))}
      <span>1</span>
    </div>
  );
}
