/** First run: nothing installed yet, so offer the catalog's best fit for this machine as one action. */
import { FitBadge } from "../../components/FitBadge.tsx";
import { useAppStore } from "../../store/index.ts";
import { modelsSelectors } from "./selectors.ts";

export function RecommendationCard() {
  const recommendation = useAppStore(modelsSelectors.recommendation);
  const libraryLoaded = useAppStore(modelsSelectors.libraryLoaded);
  const hasInstalled = useAppStore(modelsSelectors.hasInstalledModel);
  const downloadModel = useAppStore((s) => s.downloadModel);
  const job = useAppStore(modelsSelectors.downloadJobFor(recommendation?.key ?? ""));
  if (!recommendation || !libraryLoaded || hasInstalled) return null;
  return (
    <section className="recommendation" aria-label="Recommendation">
      <div className="recommendation-text">
        <p className="recommendation-title">
          Recommended for this machine: <strong>{recommendation.title}</strong> <span className="muted">({recommendation.sizeText})</span>
        </p>
        <p className="muted small">{recommendation.reason}</p>
        <FitBadge rating={recommendation.fit.rating} reason={recommendation.fit.reason} />
      </div>
      {job ? (
        <p className="status-line" role="status">
          Downloading: progress is under Downloads below.
        </p>
      ) : (
        <button type="button" className="button button-primary" onClick={() => void downloadModel(recommendation.repo, recommendation.file)} aria-label={`Download ${recommendation.title}`}>
          Download
        </button>
      )}
    </section>
  );
}
