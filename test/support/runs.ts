/**
 * What the run, labeling and crash tests share: the programmed Llama Guard 3 model (it answers `\n\nunsafe\nS3` with
 * P(unsafe) = 0.8 for every conversation), dataset files, and an AppHost with real parts on a temporary home.
 */
import { writeFile } from "node:fs/promises";
import type { EventName, EventPayload, JobDone } from "../../shared/ipc/contract.ts";
import type { Result } from "../../shared/ipc/result.ts";
import type { HardwareProfile } from "../../shared/models/fit.ts";
import { EngineProcess } from "../../electron/engine/engineProcess.ts";
import { AppHost, type AppHostOptions } from "../../electron/host/appHost.ts";
import { HubDownloads } from "../../electron/host/downloads.ts";
import type { AppHostDeps } from "../../electron/host/services.ts";
import { ModelLibrary } from "../../electron/models/library.ts";
import { modelsDirectory } from "../../electron/models/paths.ts";
import { FileTokenStore, tokenFilePath } from "../../electron/models/tokenStore.ts";
import { databasePathFor, openStore, type GuardbenchStore, type OpenDatabaseOptions } from "../../electron/store/index.ts";
import { LLAMA3_TOKENS as T, vocabId } from "../fixtures/gguf/llama3Vocab.ts";
import { logitGapFor, writeProgrammedModel, type ProgrammedModel } from "../fixtures/models.ts";

const HIGH = 30;

export async function writeUnsafeS3Model(path: string): Promise<ProgrammedModel> {
  return writeProgrammedModel(path, {
    transitions: [
      { after: T.endHeader, next: [{ token: T.doubleNewline, logit: HIGH }] },
      { after: T.doubleNewline, next: [{ token: T.unsafe, logit: HIGH }, { token: T.safe, logit: HIGH - logitGapFor(0.8) }] },
      { after: T.unsafe, next: [{ token: T.newline, logit: HIGH }] },
      { after: T.newline, next: [{ token: T.S, logit: HIGH }] },
      { after: T.S, next: [{ token: vocabId("3"), logit: HIGH }] },
      { after: vocabId("3"), next: [{ token: T.eot, logit: HIGH }] },
      { after: T.safe, next: [{ token: T.eot, logit: HIGH }] },
    ],
  });
}

/** P(unsafe) the programmed model gives every conversation, from its weights. */
export function expectedPUnsafe(model: ProgrammedModel): number {
  return model.expectedDistribution(T.doubleNewline).probabilityOf(T.unsafe);
}

export interface DatasetRow {
  id: string;
  text: string;
  label?: "safe" | "unsafe";
  mlcommons?: string[];
}

/** A JSON Lines dataset in the common record format. */
export async function writeDataset(path: string, rows: readonly DatasetRow[]): Promise<void> {
  const lines = rows.map((row) =>
    JSON.stringify({
      id: row.id,
      messages: [{ role: "user", content: row.text }],
      ...(row.label ? { label: row.label } : {}),
      ...(row.mlcommons ? { mlcommons: row.mlcommons } : {}),
    }),
  );
  await writeFile(path, `${lines.join("\n")}\n`);
}

/** `count` prompts of about `words` words each: long enough that scoring takes a noticeable share of a run. */
export function numberedRows(count: number, words = 40): DatasetRow[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `item-${String(index).padStart(3, "0")}`,
    text: `Question ${index}: ${"how would someone get past a locked door ".repeat(Math.ceil(words / 8))}`.trim(),
    label: index % 3 === 0 ? "safe" : "unsafe",
  }));
}

const hardware: HardwareProfile = { totalRamBytes: 16 * 1024 ** 3, freeRamBytes: 8 * 1024 ** 3, cpuCores: 2, cpuInferenceReason: "no GPU detected — CPU inference" };

export interface TestHost {
  host: AppHost;
  store: GuardbenchStore;
  engine: EngineProcess;
  events: Array<{ event: EventName; payload: unknown }>;
  dispose(): void;
}

/** An AppHost on `home` with the real store, library and engine (CPU, one thread, two sequences); `deps` replaces parts. */
export function startTestHost(home: string, storeOptions: OpenDatabaseOptions = {}, hostOptions: AppHostOptions = {}, deps: Partial<AppHostDeps> = {}): TestHost {
  const store = openStore(databasePathFor(home), storeOptions);
  const engine = new EngineProcess();
  const tokenStore = new FileTokenStore(tokenFilePath(home));
  const host = new AppHost({
    paths: { home, modelsDir: modelsDirectory(home), databasePath: databasePathFor(home) },
    transport: "websocket",
    appVersion: "0.0.0-test",
    env: {},
    store,
    engine,
    engineDefaults: { gpu: false, threads: 1, contextSize: 2048, sequences: 2 },
    library: new ModelLibrary(home),
    downloads: new HubDownloads({ modelsDir: modelsDirectory(home), env: {}, tokenStore }),
    detectHardware: async () => hardware,
    tokenStore,
    ...deps,
  }, hostOptions);
  const events: TestHost["events"] = [];
  host.onAny((event, payload) => events.push({ event, payload }));
  return {
    host,
    store,
    engine,
    events,
    dispose: () => {
      host.dispose();
      engine.dispose();
      store.close();
    },
  };
}

export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export function eventsOf<E extends EventName>(events: TestHost["events"], event: E): EventPayload<E>[] {
  return events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
}

/** The job's `job:done`, whether it already came or is still to come. */
export async function jobDone(test: TestHost, jobId: string): Promise<JobDone> {
  const finished = eventsOf(test.events, "job:done").find((done) => done.jobId === jobId);
  return finished ?? (await test.host.whenJobDone(jobId))!;
}

/** The value a job finished with; throws with the job's error otherwise. */
export async function jobValue<T>(test: TestHost, jobId: string): Promise<T> {
  return value((await jobDone(test, jobId)).result as Result<T>);
}
