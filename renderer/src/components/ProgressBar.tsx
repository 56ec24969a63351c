/** A labelled progress bar: determinate with `value`/`max`, indeterminate without (a model load has no percentage). */
export function ProgressBar({ label, value, max = 1, detail }: { label: string; value?: number; max?: number; detail?: string }) {
  return (
    <div className="progress">
      <progress aria-label={label} value={value} max={value === undefined ? undefined : max} />
      {detail && <span className="progress-detail">{detail}</span>}
    </div>
  );
}
