/**
 * The engine worker in an Electron utilityProcess (ARCHITECTURE.md): a llama.cpp abort kills that process, not the
 * window. Implements EngineProcess's WorkerSpawner, so crash recovery works exactly as over child_process.fork.
 */
import { utilityProcess } from "electron";
import type { WorkerSpawner } from "../engine/engineProcess.ts";
import type { FromEngine, ToEngine } from "../engine/protocol.ts";

export function utilityProcessSpawner(workerPath: string): WorkerSpawner {
  return () => {
    const child = utilityProcess.fork(workerPath, [], {
      serviceName: "Guardbench engine",
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NODE_LLAMA_CPP_LOG_LEVEL: "error" },
    });
    let stderrTail = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    return {
      send: (message: ToEngine) => child.postMessage(message),
      onMessage: (listener) => child.on("message", (message: FromEngine) => listener(message)),
      onExit: (listener) =>
        child.on("exit", (code) => {
          const lastLine = stderrTail.trim().split("\n").at(-1);
          listener(`exit code ${code}${lastLine ? `; last output: ${lastLine}` : ""}`);
        }),
      kill: () => void child.kill(),
    };
  };
}
