/**
 * A CLI command's AppHost: the handler table the desktop window and `guardbench serve` answer through, in this process,
 * for as long as the command runs. A command parses its arguments, calls channels here and prints; the validation,
 * the checks on files it names and the records it leaves (a classification in History) are the app's own.
 */
import { randomUUID } from "node:crypto";
import type { Channel, EngineStatus, GuardbenchApi, JobDone, Req, Res, Result } from "../../shared/ipc/index.ts";
import { EngineError, type EngineErrorData } from "../engine/errors.ts";
import type { RunEngine } from "../runs/runExecutor.ts";
import { createAppHost, type RunningHost } from "../host/createAppHost.ts";
import type { EngineDefaults } from "../engine/engineControl.ts";
import { guardbenchHome } from "../models/paths.ts";
import { CodedError, errorText } from "../../shared/errors/codedError.ts";
import { CliFailure, writeLine, type CliIo } from "./command.ts";

export interface CliHost {
  client: GuardbenchApi;
  running: RunningHost;
  /** the answer's value, or a CliFailure carrying its message and hint */
  call<C extends Channel>(channel: C, request: Req<C>): Promise<Res<C>>;
  /** the job's `job:done`, also when it finished before this was called (every job:done is kept until asked for) */
  jobDone(jobId: string): Promise<JobDone>;
  dispose(): void;
}

export function answerOrFail<T>(answer: Result<T>): T {
  if (!answer.ok) throw new CliFailure(errorText(answer.error));
  return answer.value;
}

/**
 * Opens the store in GUARDBENCH_HOME (made private if it was not, said on standard error). Runs the app left running
 * stay for the app to continue: a command serves its one request.
 */
export function openCliHost(command: string, io: CliIo, engineDefaults: EngineDefaults = {}): CliHost {
  let running: RunningHost;
  try {
    running = createAppHost({ home: guardbenchHome(io.env), env: io.env, transport: "cli", engineDefaults, resumeInterruptedRuns: false });
  } catch (error) {
    if (error instanceof CodedError) throw new CliFailure(error.toText());
    throw error;
  }
  for (const note of running.notes) writeLine(io.stderr, `guardbench ${command}: ${note}`);
  const client = running.host.client();
  const finished = new Map<string, JobDone>();
  const waiting = new Map<string, (done: JobDone) => void>();
  client.on("job:done", (done) => {
    const waiter = waiting.get(done.jobId);
    waiting.delete(done.jobId);
    if (waiter) waiter(done);
    else finished.set(done.jobId, done);
  });
  return {
    client,
    running,
    call: async (channel, request) => answerOrFail(await client.invoke(channel, request)),
    jobDone: (jobId) => {
      const done = finished.get(jobId);
      finished.delete(jobId);
      return done ? Promise.resolve(done) : new Promise((resolve) => waiting.set(jobId, resolve));
    },
    dispose: () => running.dispose(),
  };
}

export interface ModelToLoad {
  path: string;
  family: NonNullable<Req<"models:load">["family"]>;
  compute: "auto" | "cpu";
}

/**
 * Loads a model file through `models:load` and waits for its job. Resolves to undefined when `signal` stopped the load
 * (the job is cancelled and the engine stops its worker), so the caller can say it was interrupted.
 */
export async function loadModel(cli: CliHost, model: ModelToLoad, signal: AbortSignal): Promise<EngineStatus | undefined> {
  const { jobId } = await cli.call("models:load", model);
  const done = await jobDoneUnlessStopped(cli, jobId, signal);
  if (!done) return undefined;
  if (done.kind !== "load") throw new Error(`job ${jobId} is a ${done.kind}, not a load`);
  return answerOrFail(done.result);
}

/** The job's `job:done`; when `signal` aborts first, the job is cancelled (`job:cancel`) and this resolves to undefined. */
export async function jobDoneUnlessStopped(cli: CliHost, jobId: string, signal: AbortSignal): Promise<JobDone | undefined> {
  const cancel = () => void cli.client.invoke("job:cancel", { jobId });
  signal.addEventListener("abort", cancel, { once: true });
  try {
    const done = await cli.jobDone(jobId);
    return signal.aborted ? undefined : done;
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}

/** `classify:run`, cancelled through `classify:cancel` when `signal` aborts. */
export async function classifyOnHost(cli: CliHost, request: Omit<Req<"classify:run">, "requestId">, signal: AbortSignal): Promise<Result<Res<"classify:run">>> {
  const requestId = randomUUID();
  const cancel = () => void cli.client.invoke("classify:cancel", { requestId });
  signal.addEventListener("abort", cancel, { once: true });
  try {
    return await cli.client.invoke("classify:run", { ...request, requestId });
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}

/**
 * The host's loaded model as a run's engine: each item through `classify:run` (not recorded in History: the run stores
 * it). An error answer is thrown as the engine error it was, so the run tells an item's failure from the engine's.
 */
export function hostRunEngine(cli: CliHost): RunEngine {
  return {
    classify: async (request, options, signal) => {
      const answer = await classifyOnHost(cli, { ...request, options, record: false }, signal);
      if (!answer.ok) throw EngineError.fromData(answer.error as EngineErrorData);
      return answer.value.result;
    },
  };
}
