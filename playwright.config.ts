/**
 * End-to-end tests: Debian's Chromium (there is no `npx playwright install` here) against `guardbench serve`, which
 * test/e2e/fixtures.ts starts per test with its own GUARDBENCH_HOME. Screenshots of every screen go to test-results/.
 */
import { defineConfig } from "@playwright/test";

const isCi = Boolean(process.env.CI);

export default defineConfig({
  testDir: "test/e2e",
  outputDir: "test-results/e2e",
  // Each test loads a model with llama.cpp on the CPU; one worker keeps the two cores for it.
  workers: 1,
  fullyParallel: false,
  forbidOnly: isCi,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: isCi ? [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]] : [["list"]],
  use: {
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    screenshot: "only-on-failure",
    trace: isCi ? "retain-on-failure" : "off",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
