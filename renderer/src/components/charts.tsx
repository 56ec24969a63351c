/**
 * The evaluation charts as inline SVG: the precision-recall curve (click or ←/→ picks the threshold) and the score
 * histogram. Colours are SVG presentation attributes, not CSS, so a chart serialized on its own (SVG/PNG export)
 * looks the same as on screen. Each chart is `role="img"` with the key numbers in its name; the caller shows a table
 * with the same data.
 */
import { forwardRef, useMemo, type KeyboardEvent, type MouseEvent } from "react";
import type { HistogramBin, PrecisionRecallCurve } from "../../../shared/metrics/index.ts";
import { CHART_FRAME, histogramRects, nearestPoint, plotHeight, plotWidth, pointForThreshold, prPath, prPoints, UNIT_TICKS, xOf, yOf } from "./chartGeometry.ts";

const INK = "#1f2933";
const GRID = "#d9dee3";
const ACCENT = "#2f5fd0";
const COLOURS = { safe: "#3c8d5a", unsafe: "#c2413b", unlabeled: "#9aa5b1" } as const;
const f2 = (value: number) => value.toFixed(2);

function Axes({ xLabel, yLabel, yMax = 1, yTicks = UNIT_TICKS as readonly number[] }: { xLabel: string; yLabel: string; yMax?: number; yTicks?: readonly number[] }) {
  const frame = CHART_FRAME;
  const bottom = frame.margin.top + plotHeight(frame);
  return (
    <g fontSize="11" fill={INK} fontFamily="system-ui, sans-serif">
      {UNIT_TICKS.map((tick) => (
        <g key={`x${tick}`}>
          <line x1={xOf(frame, tick)} x2={xOf(frame, tick)} y1={frame.margin.top} y2={bottom} stroke={GRID} />
          <text x={xOf(frame, tick)} y={bottom + 14} textAnchor="middle">
            {tick}
          </text>
        </g>
      ))}
      {yTicks.map((tick) => (
        <g key={`y${tick}`}>
          <line x1={frame.margin.left} x2={frame.margin.left + plotWidth(frame)} y1={yOf(frame, tick, yMax)} y2={yOf(frame, tick, yMax)} stroke={GRID} />
          <text x={frame.margin.left - 6} y={yOf(frame, tick, yMax) + 4} textAnchor="end">
            {tick}
          </text>
        </g>
      ))}
      <text x={frame.margin.left + plotWidth(frame) / 2} y={frame.height - 6} textAnchor="middle">
        {xLabel}
      </text>
      <text x={12} y={frame.margin.top + plotHeight(frame) / 2} textAnchor="middle" transform={`rotate(-90 12 ${frame.margin.top + plotHeight(frame) / 2})`}>
        {yLabel}
      </text>
    </g>
  );
}

export interface PrCurveChartProps {
  curve: PrecisionRecallCurve;
  threshold: number;
  auprc: number | null;
  onPickThreshold(threshold: number): void;
}

export const PrCurveChart = forwardRef<SVGSVGElement, PrCurveChartProps>(function PrCurveChart({ curve, threshold, auprc, onPickThreshold }, ref) {
  const points = useMemo(() => prPoints(curve), [curve]);
  const current = pointForThreshold(points, threshold);
  const picked = points[current];
  const label =
    points.length === 0
      ? "Precision-recall curve: no item is labeled unsafe, so there is no curve."
      : `Precision-recall curve over ${points.length} thresholds, AUPRC ${auprc === null ? "undefined" : f2(auprc)}.` +
        (picked ? ` Picked threshold ${f2(picked.threshold)}: precision ${f2(picked.precision)}, recall ${f2(picked.recall)}.` : "") +
        " Click the curve or use the left and right arrow keys to pick a threshold.";

  function pick(index: number) {
    const point = points[index];
    if (point) onPickThreshold(point.threshold);
  }
  function onClick(event: MouseEvent<SVGSVGElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    const scale = box.width > 0 ? CHART_FRAME.width / box.width : 1;
    pick(nearestPoint(points, (event.clientX - box.left) * scale, (event.clientY - box.top) * scale));
  }
  function onKeyDown(event: KeyboardEvent<SVGSVGElement>) {
    // Points go from the highest threshold (low recall, left) to the lowest (right).
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, Home: -points.length, End: points.length };
    const move = moves[event.key];
    if (move === undefined || points.length === 0) return;
    event.preventDefault();
    pick(Math.min(points.length - 1, Math.max(0, (current === -1 ? 0 : current) + move)));
  }

  return (
    <svg
      ref={ref}
      className="chart chart-interactive"
      viewBox={`0 0 ${CHART_FRAME.width} ${CHART_FRAME.height}`}
      width={CHART_FRAME.width}
      height={CHART_FRAME.height}
      role="img"
      aria-label={label}
      tabIndex={0}
      onClick={onClick}
      onKeyDown={onKeyDown}
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect x="0" y="0" width={CHART_FRAME.width} height={CHART_FRAME.height} fill="#ffffff" />
      <Axes xLabel="Recall" yLabel="Precision" />
      <path d={prPath(points)} fill="none" stroke={ACCENT} strokeWidth="2" />
      {points.map((point, index) => (
        <circle key={index} cx={point.x} cy={point.y} r={index === current ? 5 : 2.5} fill={index === current ? INK : ACCENT} />
      ))}
    </svg>
  );
});

export interface ScoreHistogramChartProps {
  bins: readonly HistogramBin[];
  threshold: number;
}

export const ScoreHistogramChart = forwardRef<SVGSVGElement, ScoreHistogramChartProps>(function ScoreHistogramChart({ bins, threshold }, ref) {
  const { rects, max } = useMemo(() => histogramRects(bins), [bins]);
  const totals = bins.reduce((sum, bin) => ({ safe: sum.safe + bin.safe, unsafe: sum.unsafe + bin.unsafe, unlabeled: sum.unlabeled + bin.unlabeled }), { safe: 0, unsafe: 0, unlabeled: 0 });
  const label = `Score histogram: ${bins.length} bins of P(unsafe); ${totals.unsafe} labeled unsafe, ${totals.safe} labeled safe, ${totals.unlabeled} unlabeled; the threshold ${f2(threshold)} is marked.`;
  const yTicks = [0, Math.round(max / 2), max].filter((tick, index, all) => all.indexOf(tick) === index);
  const frame = CHART_FRAME;
  return (
    <svg ref={ref} className="chart" viewBox={`0 0 ${frame.width} ${frame.height}`} width={frame.width} height={frame.height} role="img" aria-label={label} xmlns="http://www.w3.org/2000/svg">
      <rect x="0" y="0" width={frame.width} height={frame.height} fill="#ffffff" />
      <Axes xLabel="P(unsafe)" yLabel="Items" yMax={max} yTicks={yTicks} />
      {rects.map((rect) => (
        <rect key={rect.key} x={rect.x} y={rect.y} width={rect.width} height={rect.height} fill={COLOURS[rect.kind]} />
      ))}
      <line x1={xOf(frame, threshold)} x2={xOf(frame, threshold)} y1={frame.margin.top} y2={frame.margin.top + plotHeight(frame)} stroke={INK} strokeWidth="2" strokeDasharray="4 3" />
    </svg>
  );
});

export const HISTOGRAM_COLOURS = COLOURS;

/** One colour per run side by side, distinct on white and for the common colour-vision deficiencies (Okabe–Ito). */
export const SERIES_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"] as const;

export interface PrCurvesChartProps {
  series: readonly { name: string; curve: PrecisionRecallCurve; auprc: number | null }[];
}

/** Several runs' precision-recall curves on one chart, a colour each (the caller shows the legend and a table). */
export const PrCurvesChart = forwardRef<SVGSVGElement, PrCurvesChartProps>(function PrCurvesChart({ series }, ref) {
  const plotted = useMemo(() => series.map((entry) => prPoints(entry.curve)), [series]);
  const label = `Precision-recall curves of ${series.length} runs: ${series.map((entry) => `${entry.name}, AUPRC ${entry.auprc === null ? "undefined" : f2(entry.auprc)}`).join("; ")}.`;
  return (
    <svg ref={ref} className="chart" viewBox={`0 0 ${CHART_FRAME.width} ${CHART_FRAME.height}`} width={CHART_FRAME.width} height={CHART_FRAME.height} role="img" aria-label={label} xmlns="http://www.w3.org/2000/svg">
      <rect x="0" y="0" width={CHART_FRAME.width} height={CHART_FRAME.height} fill="#ffffff" />
      <Axes xLabel="Recall" yLabel="Precision" />
      {plotted.map((points, index) => {
        const colour = SERIES_COLOURS[index % SERIES_COLOURS.length];
        return (
          <g key={index} data-series={series[index]!.name}>
            <path d={prPath(points)} fill="none" stroke={colour} strokeWidth="2" />
            {points.map((point, at) => (
              <circle key={at} cx={point.x} cy={point.y} r={2.5} fill={colour} />
            ))}
          </g>
        );
      })}
    </svg>
  );
});
