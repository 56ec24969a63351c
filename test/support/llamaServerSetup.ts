/**
 * vitest global setup of the "llama-server" project (vitest.config.ts; it runs only when the run includes that
 * project's files): makes sure the llama-server that test/integration/llamaServer.test.ts runs against is built
 * (scripts/llama-server.mjs; 18 minutes on two busy cores the first time on a machine, instant afterwards), so that a
 * fresh clone's `npm test` runs every test. A build that cannot happen (no cmake or compiler) is said loudly here and
 * does not stop the other suites; the llama-server tests then fail with the command to run — never skip.
 */
import { ensureLlamaServer, llamaServerBuild } from "../../scripts/llama-server.mjs";

export default async function setup(): Promise<void> {
  const log = (line: string) => console.log(line);
  try {
    if (llamaServerBuild().usable) return;
    log("llama-server is not built on this machine yet: building it before the tests (once; later runs reuse it)");
    await ensureLlamaServer({ log });
  } catch (error) {
    console.error(`\nllama-server could not be built, so its tests will fail:\n${(error as Error).message}\n`);
  }
}
