/**
 * P(unsafe) against the threshold. The slider sits right under the gauge on the same scale, so its thumb marks the
 * threshold on the bar; moving it re-flags the result at once (the parent recomputes `flagged`).
 */
import { useId } from "react";
import { formatScore } from "./format.ts";

export interface ScoreGaugeProps {
  pUnsafe: number;
  threshold: number;
  flagged: boolean;
  onThresholdChange(threshold: number): void;
}

export function ScoreGauge({ pUnsafe, threshold, flagged, onThresholdChange }: ScoreGaugeProps) {
  const sliderId = useId();
  return (
    <div className="gauge">
      <div className="gauge-numbers">
        <span className="gauge-label">P(unsafe)</span>
        <output className="gauge-value" aria-label="P(unsafe)">
          {formatScore(pUnsafe)}
        </output>
        <span className={`badge ${flagged ? "badge-danger" : "badge-ok"}`} role="status">
          {flagged ? "Flagged" : "Not flagged"} at {formatScore(threshold)}
        </span>
      </div>
      <meter className={`gauge-meter${flagged ? " gauge-meter-flagged" : ""}`} min={0} max={1} value={pUnsafe} aria-label="P(unsafe) against the threshold" />
      <div className="gauge-slider">
        <label htmlFor={sliderId}>Threshold</label>
        <input
          id={sliderId}
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={threshold}
          aria-valuetext={formatScore(threshold)}
          onChange={(event) => onThresholdChange(Number(event.target.value))}
        />
        <span className="mono">{formatScore(threshold)}</span>
      </div>
    </div>
  );
}
