/**
 * Pure geometry for the evaluation charts (inline SVG, no chart library): scales, the PR curve's points and path, the
 * histogram's stacked bars, and picking the curve point nearest a click. Tested without a DOM.
 */
import type { HistogramBin, PrecisionRecallCurve } from "../../../shared/metrics/index.ts";

export interface ChartFrame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export const CHART_FRAME: ChartFrame = { width: 420, height: 280, margin: { top: 14, right: 16, bottom: 42, left: 50 } };

export function plotWidth(frame: ChartFrame): number {
  return frame.width - frame.margin.left - frame.margin.right;
}

export function plotHeight(frame: ChartFrame): number {
  return frame.height - frame.margin.top - frame.margin.bottom;
}

/** [0, 1] to the plot's x pixels. */
export function xOf(frame: ChartFrame, value: number): number {
  return frame.margin.left + Math.min(1, Math.max(0, value)) * plotWidth(frame);
}

/** [0, max] to the plot's y pixels (0 at the bottom). */
export function yOf(frame: ChartFrame, value: number, max = 1): number {
  const share = max <= 0 ? 0 : Math.min(1, Math.max(0, value / max));
  return frame.margin.top + (1 - share) * plotHeight(frame);
}

export interface PlottedPoint {
  x: number;
  y: number;
  threshold: number;
  precision: number;
  recall: number;
}

/** One plotted point per curve point with a recall (none has one when no item is labeled unsafe). */
export function prPoints(curve: PrecisionRecallCurve, frame: ChartFrame = CHART_FRAME): PlottedPoint[] {
  return curve.points.flatMap((point) =>
    point.recall === null ? [] : [{ x: xOf(frame, point.recall), y: yOf(frame, point.precision), threshold: point.threshold, precision: point.precision, recall: point.recall }],
  );
}

/**
 * The curve as an SVG path, starting at (recall 0, precision 1) like scikit-learn's end point, drawn as steps: between
 * one point's recall and the next the height is the next point's precision, so the area under the drawing is exactly
 * the AUPRC shown beside it (average precision, Σ (Rₙ − Rₙ₋₁) Pₙ). Straight lines would suggest a different area.
 */
export function prPath(points: readonly PlottedPoint[], frame: ChartFrame = CHART_FRAME): string {
  if (points.length === 0) return "";
  let previousX = round(xOf(frame, 0));
  const segments = [`M${previousX} ${round(yOf(frame, 1))}`];
  for (const point of points) {
    segments.push(`L${previousX} ${round(point.y)}`, `L${round(point.x)} ${round(point.y)}`);
    previousX = round(point.x);
  }
  return segments.join(" ");
}

/** The index of the point closest to (x, y) in chart pixels, or -1 when there is none. */
export function nearestPoint(points: readonly PlottedPoint[], x: number, y: number): number {
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  points.forEach((point, index) => {
    const distance = (point.x - x) ** 2 + (point.y - y) ** 2;
    if (distance < bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return best;
}

/** The index of the point whose threshold is closest to `threshold` (the one currently picked). */
export function pointForThreshold(points: readonly PlottedPoint[], threshold: number): number {
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  points.forEach((point, index) => {
    const distance = Math.abs(point.threshold - threshold);
    if (distance < bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return best;
}

export interface HistogramRect {
  key: string;
  kind: "safe" | "unsafe" | "unlabeled";
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
  bin: HistogramBin;
}

export const HISTOGRAM_KINDS = ["safe", "unsafe", "unlabeled"] as const;

/** Stacked bars (safe at the bottom, then unsafe, then unlabeled), with a 1px gap between bins. */
export function histogramRects(bins: readonly HistogramBin[], frame: ChartFrame = CHART_FRAME): { rects: HistogramRect[]; max: number } {
  const max = Math.max(1, ...bins.map((bin) => bin.safe + bin.unsafe + bin.unlabeled));
  const rects: HistogramRect[] = [];
  bins.forEach((bin, index) => {
    const x = xOf(frame, bin.from);
    const width = Math.max(0, xOf(frame, bin.to) - x - 1);
    let below = 0;
    for (const kind of HISTOGRAM_KINDS) {
      const count = bin[kind];
      if (count === 0) continue;
      const top = yOf(frame, below + count, max);
      const bottom = yOf(frame, below, max);
      rects.push({ key: `${index}-${kind}`, kind, x: round(x), y: round(top), width: round(width), height: round(bottom - top), count, bin });
      below += count;
    }
  });
  return { rects, max };
}

/** Axis ticks at 0, 0.25 … 1. */
export const UNIT_TICKS = [0, 0.25, 0.5, 0.75, 1] as const;

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
