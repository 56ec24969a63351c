import type { ClassificationResult } from "../../../shared/classify/result.ts";
import { formatProbability } from "./format.ts";

/**
 * What the family's model answered beside safe/unsafe, and why: each decision point with every answer's probability
 * (Qwen3Guard's Safe / Unsafe / Controversial, WildGuard's three questions), the answer's fields as written, the
 * reasoning it gave, and why there are no per-category scores when there are none.
 */
export function ModelAnswers({ result }: { result: ClassificationResult }) {
  const points = result.decisionScores ?? [];
  const answers = result.answers ?? [];
  if (points.length === 0 && answers.length === 0 && result.reasoning === undefined && result.categoryScoresUnavailable === undefined) return null;
  return (
    <section className="result-section" aria-labelledby="model-answers-heading">
      <h3 id="model-answers-heading" className="subheading">
        The model's answer
      </h3>
      {points.map((point) => (
        <table key={point.point} className="table table-compact" aria-label={`Decision: ${point.label}`}>
          <caption className="muted small">{point.label}</caption>
          <thead>
            <tr>
              <th scope="col">Answer</th>
              <th scope="col">Counts as</th>
              <th scope="col">P</th>
            </tr>
          </thead>
          <tbody>
            {point.answers.map((answer) => (
              <tr key={answer.key}>
                <td>{answer.key}</td>
                <td>{answer.meaning === "other" ? "neither" : answer.meaning}</td>
                <td className="mono">{formatProbability(answer.p)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {answers.length > 0 && (
        <dl className="facts" aria-label="Answer as written">
          {answers.map((answer) => (
            <div key={answer.key}>
              <dt>{answer.label}</dt>
              <dd>{answer.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {result.reasoning !== undefined && (
        <blockquote className="reasoning small" aria-label="The model's reasoning">
          {result.reasoning}
        </blockquote>
      )}
      {result.categoryScoresUnavailable !== undefined && <p className="muted small">No per-category scores: {result.categoryScoresUnavailable}</p>}
    </section>
  );
}

