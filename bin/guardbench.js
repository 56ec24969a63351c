#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx guardbench` works straight after `npm ci` with no build step to forget.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../electron/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));
