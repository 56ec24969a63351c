/** The threshold a run (or each run of a multi-run) is started with, as typed: the form submits only a valid one. */
import { useId } from "react";
import { THRESHOLD_RANGE, thresholdSchema } from "../../../../shared/classify/result.ts";

/** Whether the text typed is a threshold: a number from 0 to 1. */
export function isThresholdText(text: string): boolean {
  return text.trim() !== "" && thresholdSchema.safeParse(Number(text)).success;
}

export function RunThresholdField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const id = useId();
  return (
    <div className="field field-inline">
      <label htmlFor={id} className="field-label">
        Threshold
      </label>
      <input id={id} className="input input-narrow" type="number" min={THRESHOLD_RANGE.min} max={THRESHOLD_RANGE.max} step={0.05} value={value} onChange={(event) => onChange(event.target.value)} aria-invalid={!isThresholdText(value)} />
    </div>
  );
}
