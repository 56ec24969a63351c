import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { useShallow } from "zustand/react/shallow";
import { DownloadProgress } from "./DownloadProgress.tsx";
import { modelsSelectors } from "./selectors.ts";

/** Every running download in one place, whichever screen started it. */
export function DownloadsPanel() {
  const downloads = useAppStore(useShallow(modelsSelectors.downloadJobs));
  if (downloads.length === 0) return null;
  return (
    <Panel title="Downloads">
      <ul className="plain-list">
        {downloads.map((job) => (
          <li key={job.jobId}>
            <p className="mono small">
              {job.repo}/{job.file}
            </p>
            <DownloadProgress job={job} />
          </li>
        ))}
      </ul>
    </Panel>
  );
}
