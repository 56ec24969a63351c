#!/usr/bin/env node
// `npm test`: type-check every layer, lint the layer rules, then run every test suite, and close with one
// "N passed, N failed" line so CI can tell a green run from one that ran nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

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
  { name: "vitest", command: "npx", args: ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json", ...process.argv.slice(2)], report: "test-results/vitest.json" },
];
let passed = 0;
let failed = 0;
for (const suite of suites) {
  console.log(`\n▶ ${suite.name}`);
  const { status } = spawnSync(suite.command, suite.args, { stdio: "inherit" });
  if (!existsSync(suite.report)) {
    failedSteps.push(`${suite.name} (no report written)`);
    continue;
  }
  const report = JSON.parse(readFileSync(suite.report, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (status !== 0 && report.numFailedTests === 0) failedSteps.push(`${suite.name} (exit ${status})`);
}

if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
