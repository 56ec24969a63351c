import type { Writable } from "node:stream";
import { defineCommand, parseCommandLine, withOptions } from "../../arguments.ts";
import { CliFailure, writeLine, type CliCommand } from "../../command.ts";
import { jsonOption, tokenOptions, type JsonValues, type TokenValues } from "../../options.ts";
import { readSecretOption } from "../../secretOption.ts";
import { DownloadError } from "../../../models/downloadError.ts";
import { parseModelReference } from "../../../models/hubUrls.ts";
import { formatBytes } from "../../../../shared/format/bytes.ts";
import type { DownloadJobProgress } from "../../../../shared/ipc/index.ts";
import { answerOrFail, openCliHost } from "../../cliHost.ts";

interface PullValues extends TokenValues, JsonValues {}

function declare() {
  return withOptions(
    defineCommand(
      "pull",
      {
        summary: "download and verify a model file from Hugging Face",
        description:
          "Downloads one file of a Hugging Face model repo to $GUARDBENCH_HOME/models/<owner>/<name>/<file> (GUARDBENCH_HOME defaults to ~/.guardbench) and verifies its sha256 against the Hub. An interrupted pull resumes where it stopped when run again.",
        after: "Environment: HF_ENDPOINT (another Hub or mirror), HF_TOKEN, GUARDBENCH_HOME.",
      },
      ["models"],
    )
      .argument("<owner/name[@revision]>", "a repo (the model repo, optionally at a branch, tag or commit; default: main)")
      .argument("<file>", "a file (its path in the repo, e.g. Llama-Guard-3-1B.Q4_K_M.gguf)"),
    ...tokenOptions("a file holding the Hugging Face token for gated or private repos (default: HF_TOKEN, then the token saved in the app)", "HF_TOKEN"),
    jsonOption('{"path","sha256","size"} as one JSON line on stdout when done'),
  );
}

export const modelsPullCommand: CliCommand = {
  declare,
  async run(args, io) {
    const {
      values,
      operands: [reference, file],
    } = parseCommandLine<PullValues>(declare(), args, io);
    let repo: string;
    let revision: string | undefined;
    try {
      ({ repo, revision } = parseModelReference(reference!));
    } catch (error) {
      if (error instanceof DownloadError) throw new CliFailure(error.toText());
      throw error;
    }
    // Without either flag: HF_TOKEN, then the token the app saved (the host's order); a given token goes first.
    const given = await readSecretOption({ flag: "--token", value: values.token, fileFlag: "--token-file", file: values.tokenFile, envVar: "HF_TOKEN", command: "guardbench models pull" }, io);
    const cli = openCliHost("models pull", given ? { ...io, env: { ...io.env, HF_TOKEN: given.secret } } : io);
    const display = new ProgressDisplay(io.stderr, `${repo}/${file}`);
    try {
      const { jobId } = await cli.call("models:download", { repo, file: file!, ...(revision ? { revision } : {}) });
      let lastRetry: DownloadJobProgress["retry"];
      const stopWatching = cli.client.on("job:progress", (progress) => {
        if (progress.jobId !== jobId || progress.kind !== "download") return;
        if (progress.retry && progress.retry !== lastRetry && progress.retry.attempt !== lastRetry?.attempt) display.retry(progress.retry);
        lastRetry = progress.retry;
        if (!progress.retry) display.progress(progress);
      });
      const done = await cli.jobDone(jobId);
      stopWatching();
      display.end();
      if (done?.kind !== "download") throw new CliFailure(`the download of ${repo}/${file} ended without a result; run the same command again to resume it`);
      const model = answerOrFail(done.result);
      if (values.json) {
        writeLine(io.stdout, JSON.stringify({ path: model.path, sha256: model.verified.sha256, size: model.sizeBytes }));
      } else {
        const how = model.verified.alreadyInstalled ? "already installed" : "downloaded";
        writeLine(io.stdout, `${model.path}\n  ${how}, ${formatBytes(model.sizeBytes)}, sha256 ${model.verified.sha256} (verified)`);
      }
      return 0;
    } finally {
      display.end();
      cli.dispose();
    }
  },
};

/**
 * Progress on stderr: one line rewritten in place on a terminal; plain lines every few seconds otherwise
 * (logs and CI should not fill up with carriage returns).
 */
class ProgressDisplay {
  readonly #stream: Writable;
  readonly #label: string;
  readonly #interactive: boolean;
  #lastLineAt = -Infinity;
  #lastPhase: string | undefined;
  #lineOpen = false;

  constructor(stream: Writable, label: string) {
    this.#stream = stream;
    this.#label = label;
    this.#interactive = (stream as Partial<NodeJS.WriteStream>).isTTY === true;
  }

  progress(progress: Pick<DownloadJobProgress, "phase" | "bytesDone" | "bytesTotal" | "bytesPerSecond" | "etaSeconds">): void {
    const now = performance.now();
    const finished = progress.bytesDone === progress.bytesTotal;
    const phaseChanged = progress.phase !== this.#lastPhase;
    this.#lastPhase = progress.phase;
    if (!this.#interactive && !finished && !phaseChanged && now - this.#lastLineAt < 2_000) return;
    this.#lastLineAt = now;
    this.#write(describeProgress(this.#label, progress));
  }

  retry(notice: NonNullable<DownloadJobProgress["retry"]>): void {
    this.#write(`${notice.reason}; retrying in ${(notice.delayMs / 1000).toFixed(1)} s (attempt ${notice.attempt})`);
    this.end();
  }

  /** Ends an in-place line so whatever is printed next starts on its own line. */
  end(): void {
    if (this.#lineOpen) this.#stream.write("\n");
    this.#lineOpen = false;
  }

  #write(line: string): void {
    if (this.#interactive) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#lineOpen = true;
    } else {
      this.#stream.write(`${line}\n`);
    }
  }
}

function describeProgress(label: string, progress: Pick<DownloadJobProgress, "phase" | "bytesDone" | "bytesTotal" | "bytesPerSecond" | "etaSeconds">): string {
  if (progress.phase === "waiting") return `waiting: another Guardbench process is downloading ${label}`;
  const percent = progress.bytesTotal > 0 ? Math.floor((100 * progress.bytesDone) / progress.bytesTotal) : 100;
  const action = progress.phase === "checking" ? "checking" : "downloading";
  const amounts = `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`;
  const rate = progress.bytesPerSecond > 0 ? `  ${formatBytes(progress.bytesPerSecond)}/s` : "";
  const eta = progress.etaSeconds !== null && progress.bytesDone < progress.bytesTotal ? `  ETA ${formatDuration(progress.etaSeconds)}` : "";
  return `${action} ${label}  ${String(percent).padStart(3)}%  ${amounts}${rate}${eta}`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
