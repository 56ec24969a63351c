import type { FitRating } from "../../../shared/models/fit.ts";

const FIT_TEXT: Record<FitRating, string> = {
  green: "Fits",
  yellow: "Runs, slower",
  red: "Does not fit",
  unknown: "Fit unknown",
};

/** The fit rating as a coloured badge that also says it in words (colour is never the only signal). */
export function FitBadge({ rating, reason }: { rating: FitRating; reason: string }) {
  return (
    <span className="fit">
      <span className={`badge fit-${rating}`}>{FIT_TEXT[rating]}</span>
      <span className="fit-reason">{reason}</span>
    </span>
  );
}
