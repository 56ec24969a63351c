/**
 * `npm ci` refuses a lockfile that lacks any optional dependency, even one for another OS. The registry this project
 * is developed against does not serve node-llama-cpp's macOS/Windows binaries, so a lockfile regenerated here silently
 * drops them and CI's `npm ci` fails; their entries were added by hand (os/cpu set, so no platform fetches them wrongly).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as { packages: Record<string, { optional?: boolean; os?: string[] }> };
const llama = JSON.parse(readFileSync("node_modules/node-llama-cpp/package.json", "utf8")) as { optionalDependencies: Record<string, string> };

describe("package-lock.json", () => {
  it.each(Object.keys(llama.optionalDependencies))("lists node-llama-cpp's optional %s, so npm ci accepts it", (name) => {
    const entry = lock.packages[`node_modules/${name}`];
    expect(entry, `re-add ${name} to package-lock.json (see this test's comment)`).toBeDefined();
    expect(entry?.optional).toBe(true);
    expect(entry?.os?.length).toBeGreaterThan(0);
  });
});
