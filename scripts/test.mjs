#!/usr/bin/env node
// `npm test`: type-check every layer, lint the layer rules, then run every test suite, and close with one
// "N passed, N failed" line so CI can tell a green run from one that ran nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const steps = [
  { name: "typecheck", command: "npm", args: ["run", "--silent", "typecheck"] },
  { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
];
let failedSteps = [];
for (const step of steps) {
  console.log(`\n▶ ${step.name}`);
  const { status } = spawnSync(step.command, step.args, { stdio: "inherit" });
  if (status !== 0) failedSteps.push(step.name);
}

mkdirSync("test-results", { recursive: true });
const suites = [
  {
    name: "vitest (unit + integration)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json"],
    report: "test-results/vitest.json",
    counts: (report) => ({ passed: report.numPassedTests, failed: report.numFailedTests }),
  },
  {
    name: "playwright (end to end in Chromium against guardbench serve)",
    command: "npx",
    args: ["playwright", "test", "--reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/playwright.json" },
    report: "test-results/playwright.json",
    counts: (report) => ({ passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected }),
    when: () => existsSync("playwright.config.ts"),
  },
];
let passed = 0;
let failed = 0;
for (const suite of suites) {
  if (suite.when && !suite.when()) continue;
  console.log(`\n▶ ${suite.name}`);
  rmSync(suite.report, { force: true });
  const { status } = spawnSync(suite.command, suite.args, { stdio: "inherit", env: { ...process.env, ...suite.env } });
  if (!existsSync(suite.report)) {
    failedSteps.push(`${suite.name} (no report written)`);
    continue;
  }
  const counts = suite.counts(JSON.parse(readFileSync(suite.report, "utf8")));
  passed += counts.passed;
  failed += counts.failed;
  if (status !== 0 && counts.failed === 0) failedSteps.push(`${suite.name} (exit ${status})`);
}

if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
