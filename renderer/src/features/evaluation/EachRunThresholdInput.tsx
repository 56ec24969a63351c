/** One threshold for every run compared, or, left empty, each run's own (Compare runs, Side by side). */
import { THRESHOLD_RANGE } from "../../../../shared/classify/result.ts";

export function EachRunThresholdInput({ id, value, onChange }: { id: string; value: number | undefined; onChange(value: number | undefined): void }) {
  return (
    <input
      id={id}
      className="input input-narrow"
      type="number"
      min={THRESHOLD_RANGE.min}
      max={THRESHOLD_RANGE.max}
      step={0.01}
      placeholder="each run's"
      value={value ?? ""}
      onChange={(event) => onChange(event.target.value === "" ? undefined : Number(event.target.value))}
    />
  );
}
