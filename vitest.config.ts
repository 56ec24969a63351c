import { configDefaults, defineConfig } from "vitest/config";

/** The files that run a real llama-server (test/support/llamaServer.ts): their project builds it first when it is missing. */
const LLAMA_SERVER_TESTS = ["test/integration/electron/engine/remote/llamaServer.test.ts"];

export default defineConfig({
  test: {
    // llama.cpp tests are CPU-bound; two cores, so two files at a time.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: { name: "guardbench", include: ["test/unit/**/*.test.{ts,tsx}", "test/integration/**/*.test.ts"], exclude: [...configDefaults.exclude, ...LLAMA_SERVER_TESTS] },
      },
      {
        extends: true,
        // A project's global setup runs only when the run includes its files, so `vitest run test/unit/x.test.ts` never
        // builds llama-server; `npm test` and these files do, once per machine (test/support/llamaServerSetup.ts).
        test: { name: "llama-server", include: LLAMA_SERVER_TESTS, globalSetup: ["test/support/llamaServerSetup.ts"] },
      },
    ],
  },
});
