/** One running download: progress, bytes, rate, ETA, and pause / resume / cancel. */
import type { DownloadJobProgress } from "../../../../shared/ipc/index.ts";
import { formatBytes, formatEta, formatRate } from "../../components/format.ts";
import { ProgressBar } from "../../components/ProgressBar.tsx";
import { useAppStore } from "../../store/index.ts";

export function describeDownload(job: DownloadJobProgress): string {
  if (job.state === "queued") return "Waiting to start…";
  if (job.phase === "waiting") return "Another Guardbench process is downloading this file; waiting for it…";
  if (job.phase === "checking") return `Checking the part downloaded earlier (${formatBytes(job.bytesDone)})…`;
  const total = job.bytesTotal > 0 ? ` of ${formatBytes(job.bytesTotal)}` : "";
  if (job.state === "paused") return `Paused at ${formatBytes(job.bytesDone)}${total}`;
  const retry = job.retry ? ` · retrying in ${Math.ceil(job.retry.delayMs / 1000)} s (${job.retry.reason})` : "";
  return `${formatBytes(job.bytesDone)}${total} · ${formatRate(job.bytesPerSecond)} · ${formatEta(job.etaSeconds)} left${retry}`;
}

export function DownloadProgress({ job }: { job: DownloadJobProgress }) {
  const pauseJob = useAppStore((s) => s.pauseJob);
  const resumeJob = useAppStore((s) => s.resumeJob);
  const cancelJob = useAppStore((s) => s.cancelJob);
  const determinate = job.bytesTotal > 0 && job.phase === "downloading";
  return (
    <div className="download">
      <ProgressBar label={`Downloading ${job.file}`} value={determinate ? job.bytesDone : undefined} max={job.bytesTotal} detail={describeDownload(job)} />
      <div className="button-row">
        {job.state === "paused" ? (
          <button type="button" className="button button-small" onClick={() => void resumeJob(job.jobId)} aria-label={`Resume ${job.file}`}>
            Resume
          </button>
        ) : (
          <button type="button" className="button button-small" onClick={() => void pauseJob(job.jobId)} aria-label={`Pause ${job.file}`} disabled={job.state === "queued"}>
            Pause
          </button>
        )}
        <button type="button" className="button button-small button-danger-text" onClick={() => void cancelJob(job.jobId)} aria-label={`Cancel ${job.file}`}>
          Cancel
        </button>
      </div>
    </div>
  );
}
