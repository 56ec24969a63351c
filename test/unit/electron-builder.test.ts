/**
 * What can be checked of electron-builder.yml without running electron-builder (not installed here): keys it knows,
 * unpack and include globs that match what is really installed, and entry points the build really produces.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(import.meta.dirname, "../..");
const config = parse(readFileSync(join(root, "electron-builder.yml"), "utf8")) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  directories: { buildResources: string };
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  fileAssociations: Array<{ ext: string }>;
};
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string };

/** The top-level properties of electron-builder's Configuration (app-builder-lib/scheme.json, `properties`). */
const ELECTRON_BUILDER_KEYS = new Set(
  `afterAllArtifactBuild afterPack afterSign apk appId appImage appx appxManifestCreated artifactBuildCompleted artifactBuildStarted
   artifactName asar asarUnpack beforeBuild beforePack buildDependenciesFromSource buildNumber buildVersion compression copyright
   cscKeyPassword cscLink deb defaultArch detectUpdateChannel directories disableSanityCheckAsar dmg downloadAlternateFFmpeg
   electronBranding electronCompile electronDist electronDownload electronLanguages electronUpdaterCompatibility electronVersion
   executableName extends extraFiles extraMetadata extraResources fileAssociations files flatpak forceCodeSigning framework freebsd
   generateUpdatesFilesForAllChannels icon includePdb includeSubNodeModules launchUiVersion linux mac mas masDev msi msiProjectCreated
   msiWrapped nativeRebuilder nodeGypRebuild nodeVersion npmArgs npmRebuild nsis nsisWeb onNodeModuleFile p5p pacman pkg portable
   productName protocols publish releaseInfo removePackageKeywords removePackageScripts rpm snap squirrelWindows target win $schema`.split(/\s+/),
);

/** Expands `*` and `**` path segments against the real file system (enough for electron-builder's simple globs). */
function globPaths(pattern: string, base = root): string[] {
  const [segment, ...rest] = pattern.split("/");
  if (segment === undefined) return [base];
  if (segment === "**") {
    const here = rest.length > 0 ? globPaths(rest.join("/"), base) : [base];
    const below = subfolders(base).flatMap((folder) => globPaths(pattern, join(base, folder)));
    return [...here, ...below];
  }
  const matcher = new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  const names = existsSync(base) ? readdirSync(base).filter((name) => matcher.test(name)) : [];
  return names.flatMap((name) => (rest.length > 0 ? globPaths(rest.join("/"), join(base, name)) : [join(base, name)]));
}

function subfolders(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** electron-builder's `${os}` is also node-llama-cpp's platform prefix: mac, win, linux. */
const builderOs = { darwin: "mac", win32: "win", linux: "linux" }[process.platform as "darwin" | "win32" | "linux"];

describe("electron-builder.yml", () => {
  it("uses only keys electron-builder knows", () => {
    expect(Object.keys(config).filter((key) => !ELECTRON_BUILDER_KEYS.has(key))).toEqual([]);
  });

  it("builds AppImage and deb, NSIS, and dmg, with an icon that exists", () => {
    expect(config.linux.target).toEqual(["AppImage", "deb"]);
    expect(config.win.target).toEqual(["nsis"]);
    expect(config.mac.target).toEqual(["dmg"]);
    for (const platform of [config.linux, config.win, config.mac]) expect(existsSync(join(root, config.directories.buildResources, platform.icon))).toBe(true);
    expect(config.fileAssociations.map((a) => a.ext)).toContain("gguf");
  });

  it("unpacks node-llama-cpp's binaries and better-sqlite3's addon from the asar, as installed here", () => {
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(["node_modules/node-llama-cpp/bins", "node_modules/node-llama-cpp/llama/localBuilds", "node_modules/@node-llama-cpp/*"]),
    );
    // localBuilds exists only after building llama.cpp from source on this machine; every other glob must match.
    const mustMatch = config.asarUnpack.filter((pattern) => pattern !== "node_modules/node-llama-cpp/llama/localBuilds");
    for (const pattern of mustMatch) expect(globPaths(pattern), pattern).not.toEqual([]);
    expect(globPaths("node_modules/better-sqlite3/build/Release/*.node").map((p) => p.split("/").at(-1))).toContain("better_sqlite3.node");
  });

  it("keeps exactly this platform's llama.cpp binaries", () => {
    // Every platform's binaries are excluded first; this platform's are included after (the order matters).
    const pairs: Array<[exclude: string, include: string]> = [
      ["!node_modules/node-llama-cpp/bins/**/*", "node_modules/node-llama-cpp/bins/${os}-${arch}*/**/*"],
      ["!node_modules/node-llama-cpp/llama/localBuilds/**/*", "node_modules/node-llama-cpp/llama/localBuilds/${os}-${arch}*/**/*"],
      ["!node_modules/@node-llama-cpp/*/bins/**/*", "node_modules/@node-llama-cpp/${os}-${arch}*/bins/**/*"],
    ];
    for (const [exclude, include] of pairs) {
      expect(config.files).toContain(exclude);
      expect(config.files.indexOf(include), `${include} follows ${exclude}`).toBeGreaterThan(config.files.indexOf(exclude));
    }
    const thisPlatform = `node_modules/@node-llama-cpp/${builderOs}-${process.arch}*/bins`;
    expect(globPaths(thisPlatform), `a prebuilt llama.cpp for ${builderOs}-${process.arch} is installed`).not.toEqual([]);
  });
});

describe("the entry points it packages", () => {
  let scratch: string;

  beforeAll(() => {
    // The build script writes dist/ in its working folder: run it in a scratch folder that links to the sources, so the
    // real dist/ (and the renderer build in it) is left alone. Without vite.config.ts there it does the esbuild part only.
    scratch = mkdtempSync(join(tmpdir(), "guardbench-build-"));
    for (const item of ["electron", "shared", "models", "node_modules", "package.json", "scripts"]) symlinkSync(join(root, item), join(scratch, item));
    const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: scratch, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`the build failed:\n${build.stdout}\n${build.stderr}`);
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("has package.json main pointing at the built main process, inside the packaged files", () => {
    expect(packageJson.main).toBe("dist/electron-main.js");
    expect(existsSync(join(scratch, packageJson.main))).toBe(true);
    expect(config.files).toContain("dist/**/*");
  });

  it("has the preload and engine worker the main process loads, beside it", () => {
    const main = readFileSync(join(scratch, "dist/electron-main.js"), "utf8");
    for (const sibling of ["electron-preload.cjs", "engine-worker.js"]) {
      expect(main).toContain(`"${sibling}"`);
      expect(existsSync(join(scratch, "dist", sibling))).toBe(true);
    }
  });

  it("bundles a sandbox-safe preload: electron is its only require", () => {
    const preload = readFileSync(join(scratch, "dist/electron-preload.cjs"), "utf8");
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(["electron"]);
  });
});
