/** The Models screen: what this machine runs on, the loaded model, downloads, installed files and the catalog. */
import { ScreenHeader } from "../../components/Panel.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { useAppStore } from "../../store/index.ts";
import { CatalogPanel } from "./CatalogPanel.tsx";
import { DownloadsPanel } from "./DownloadsPanel.tsx";
import { EnginePanel } from "./EnginePanel.tsx";
import { InstalledPanel } from "./InstalledPanel.tsx";
import { RecommendationCard } from "./RecommendationCard.tsx";
import { modelsSelectors } from "./selectors.ts";
import { TokenPanel } from "./TokenPanel.tsx";

export function ModelsScreen() {
  const actionError = useAppStore(modelsSelectors.actionError);
  return (
    <div className="screen">
      <ScreenHeader title="Models" description="Download guard models from Hugging Face, check they fit this machine, and load one to classify. Everything runs locally." />
      {actionError && <ErrorMessage error={actionError} />}
      <RecommendationCard />
      <div className="models-layout">
        <div className="stack">
          <EnginePanel />
          <DownloadsPanel />
          <InstalledPanel />
        </div>
        <div className="stack">
          <CatalogPanel />
          <TokenPanel />
        </div>
      </div>
    </div>
  );
}
