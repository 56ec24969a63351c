/** electron/datasets on real files: streaming import of JSON Lines, CSV and JSON, bad rows, progress, cancel, export, demo data. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DatasetImportError, importDataset, readDataset, type ImportOptions, type ImportProgress } from "../../../electron/datasets/import.ts";
import { previewDataset } from "../../../electron/datasets/preview.ts";
import { ExportError, exportResults } from "../../../electron/datasets/export.ts";
import { demoDatasets } from "../../../electron/datasets/demo.ts";
import type { DatasetItem } from "../../../shared/datasets/index.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-datasets-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function importError(path: string, options: ImportOptions = {}): Promise<DatasetImportError> {
  try {
    await readDataset(path, options);
  } catch (error) {
    if (error instanceof DatasetImportError) return error;
    throw error;
  }
  throw new Error("the import succeeded");
}

const record = (id: string, content: string, label?: string, extra: object = {}) => JSON.stringify({ id, messages: [{ role: "user", content }], ...(label ? { label } : {}), ...extra });

describe("JSON Lines", () => {
  it("imports records as they are, lists bad lines with their numbers and counts unlabeled items", async () => {
    const path = await file(
      "mixed.jsonl",
      [
        record("a", "How do I bake bread?", "safe"),
        "",
        "{not json",
        record("b", "How do I hotwire a car?", "unsafe", { categories: ["theft"], mlcommons: ["S2"] }),
        record("c", "An unlabeled question"),
        JSON.stringify({ id: "d", messages: [{ role: "assistant", content: "I start" }], label: "safe" }),
        record("a", "A second row with the id a", "safe"),
        record("e", "Label typo", "usafe"),
      ].join("\r\n"),
    );
    const { items, summary } = await readDataset(path);
    expect(items.map((item) => [item.id, item.label])).toEqual([
      ["a", "safe"],
      ["b", "unsafe"],
      ["c", undefined],
    ]);
    expect(items[1]).toEqual({ id: "b", turns: [{ role: "user", content: "How do I hotwire a car?" }], label: "unsafe", categories: ["theft"], mlcommons: ["S2"] });
    expect(summary).toMatchObject({ format: "jsonl", items: 3, unlabeled: 1, badRowCount: 4, finished: true });
    expect(summary.badRows.map(({ row, line }) => [row, line])).toEqual([
      [3, 3],
      [6, 6],
      [7, 7],
      [8, 8],
    ]);
    expect(summary.badRows[0]!.reason).toMatch(/^not valid JSON/);
    expect(summary.badRows[1]!.reason).toMatch(/must start with a user turn/);
    expect(summary.badRows[2]!.reason).toBe('the id "a" is already used by row 1; ids must be unique within a file');
    expect(summary.badRows[3]!.reason).toMatch(/label "usafe" is not one of/);
  });

  it("stops at the first bad row when asked to, after handing over the rows before it", async () => {
    const path = await file("stop.jsonl", [record("a", "one", "safe"), "[]", record("b", "two", "safe")].join("\n"));
    const seen: string[] = [];
    const dataset = importDataset(path, { onBadRow: "stop" });
    await expect(async () => {
      for await (const item of dataset) seen.push(item.id);
    }).rejects.toMatchObject({ code: "bad-row", line: 2, message: expect.stringMatching(/^row 2 \(line 2\) cannot be imported: the row is an array/) });
    expect(seen).toEqual(["a"]);
    expect(dataset.summary).toMatchObject({ badRowCount: 1, finished: false });
  });

  it("asks for a mapping when the rows are not in the record format, suggesting one from the first row's keys", async () => {
    const path = await file("plain.jsonl", `${JSON.stringify({ text: "hi", is_harmful: 0 })}\n`);
    const error = await importError(path);
    expect(error.code).toBe("mapping-required");
    expect(error.message).toMatch(/row 1 has no "messages"/);
    expect(error.hint).toBe('suggested mapping: {"prompt":"text","label":"is_harmful"}');
    // … and with the mapping it imports
    const { items } = await readDataset(path, { mapping: { prompt: "text", label: "is_harmful" } });
    expect(items).toEqual([{ id: "row-1", turns: [{ role: "user", content: "hi" }], label: "safe", categories: [] }]);
  });

  it("lists at most maxListedBadRows reasons but counts every bad row", async () => {
    const path = await file("many-bad.jsonl", Array.from({ length: 30 }, () => "nope").join("\n"));
    const { summary } = await readDataset(path, { maxListedBadRows: 5 });
    expect(summary.badRows).toHaveLength(5);
    expect(summary.badRowCount).toBe(30);
  });
});

describe("CSV", () => {
  const csv =
    "\uFEFFid,prompt,response,label,hazard\r\n" +
    'x1,"Hello, there",Hi!,safe,\r\n' +
    'x2,"Tell me how to ""borrow"" a car\r\nfor good",No.,0,theft\r\n' +
    "x3,Write malware,Sure: …,1,S14|cyber\r\n" +
    "x4,too,few\r\n" +
    "x5,Say hi,,safe,\r\n";
  const mapping = { id: "id", prompt: "prompt", response: "response", label: "label", categories: "hazard" };

  it("imports with a mapping: BOM, CRLF, quoted commas, quotes and line breaks; bad rows with row and line", async () => {
    const path = await file("mapped.csv", csv);
    const { items, summary } = await readDataset(path, { mapping });
    expect(items).toEqual([
      { id: "x1", turns: [{ role: "user", content: "Hello, there" }, { role: "assistant", content: "Hi!" }], label: "safe", categories: [] },
      { id: "x2", turns: [{ role: "user", content: 'Tell me how to "borrow" a car\r\nfor good' }, { role: "assistant", content: "No." }], label: "safe", categories: [] },
      { id: "x3", turns: [{ role: "user", content: "Write malware" }, { role: "assistant", content: "Sure: …" }], label: "unsafe", categories: ["S14", "cyber"] },
    ]);
    // rows count data records (x2 spans lines 3-4, so x4 is row 4 on line 6)
    expect(summary.badRows).toEqual([
      { row: 4, line: 6, reason: expect.stringMatching(/3 fields but the header has 5 columns/) },
      { row: 5, line: 7, reason: expect.stringMatching(/response \("response"\) is empty text/) },
    ]);
    expect(summary).toMatchObject({ format: "csv", items: 3, unlabeled: 0, badRowCount: 2, finished: true });
  });

  it("needs a mapping, and says which one the header suggests", async () => {
    const path = await file("unmapped.csv", csv);
    const error = await importError(path);
    expect(error.code).toBe("mapping-required");
    expect(error.message).toMatch(/columns: "id", "prompt", "response", "label", "hazard"/);
    expect(error.hint).toBe('suggested mapping: {"prompt":"prompt","response":"response","label":"label","categories":"hazard","id":"id"}');
  });

  it("checks the mapping against a header with no rows under it", async () => {
    const path = await file("header-only.csv", "prompt,label\r\n");
    expect(await importError(path)).toMatchObject({ code: "mapping-required" });
    expect((await readDataset(path, { mapping: { prompt: "prompt", label: "label" } })).summary).toMatchObject({ items: 0, finished: true });
  });

  it("refuses a mapping that names a column the file lacks, before reading any row", async () => {
    const path = await file("mismatch.csv", csv);
    const error = await importError(path, { mapping: { prompt: "question", label: "label" } });
    expect(error.code).toBe("mapping-mismatch");
    expect(error.message).toMatch(/the prompt column "question" is not in the file/);
  });

  it("stops with the line when a quote is never closed and swallows the rest", async () => {
    const path = await file("unclosed.csv", `prompt\n"${"x".repeat(200)}`);
    const error = await importError(path, { mapping: { prompt: "prompt" }, maxRecordChars: 100 });
    expect(error).toMatchObject({ code: "malformed", line: 2 });
    expect(error.message).toMatch(/never closed/);
  });
});

describe("JSON", () => {
  it("streams a top-level array, with or without a mapping", async () => {
    const records = await file("records.json", `[\n${record("a", "hello", "safe")},\n${record("b", "bye", "unsafe")}\n]\n`);
    expect((await readDataset(records)).items.map((item) => item.id)).toEqual(["a", "b"]);
    const mapped = await file("mapped.json", JSON.stringify([{ q: "one", y: true }, { q: "two", y: "benign" }, { q: "", y: 0 }], null, 2));
    const { items, summary } = await readDataset(mapped, { mapping: { prompt: "q", label: "y" } });
    expect(items.map((item) => [item.id, item.label])).toEqual([
      ["row-1", "unsafe"],
      ["row-2", "safe"],
    ]);
    expect(summary.badRows).toEqual([{ row: 3, line: 10, reason: expect.stringMatching(/prompt \("q"\) is empty text/) }]);
  });

  it("explains that one object per line is JSON Lines", async () => {
    const path = await file("lines.json", `${record("a", "x", "safe")}\n${record("b", "y", "safe")}\n`);
    const error = await importError(path);
    expect(error.code).toBe("malformed");
    expect(error.message).toMatch(/must hold a JSON array.*import it as JSON Lines/);
    // naming the format fixes it
    expect((await readDataset(path, { format: "jsonl" })).items).toHaveLength(2);
  });
});

describe("file problems", () => {
  it("reports a missing file, an unknown extension and a file that is not UTF-8", async () => {
    expect(await importError(join(dir, "missing.jsonl"))).toMatchObject({ code: "not-found" });
    expect(() => importDataset(join(dir, "data.parquet"))).toThrow(expect.objectContaining({ code: "unknown-format" }));
    const latin1 = await file("latin1.csv", Buffer.from("prompt\ncaf\xe9\n", "latin1"));
    const error = await importError(latin1, { mapping: { prompt: "prompt" } });
    expect(error.code).toBe("not-utf8");
    expect(error.hint).toMatch(/UTF-8/);
  });

  it("can be iterated once only", async () => {
    const dataset = importDataset(await file("once.jsonl", record("a", "x", "safe")));
    for await (const _item of dataset) void _item;
    expect(() => dataset[Symbol.asyncIterator]()).toThrow(/iterated once/);
  });
});

describe("progress and cancelling", () => {
  const rows = (count: number) => Array.from({ length: count }, (_, i) => record(`r${i}`, `prompt number ${i} `.padEnd(80, "."), i % 2 ? "safe" : "unsafe")).join("\n");

  it("reports bytes read up to the file size", async () => {
    const path = await file("progress.jsonl", rows(2000));
    const reports: ImportProgress[] = [];
    const { summary } = await readDataset(path, { onProgress: (progress) => reports.push(progress), chunkBytes: 16 * 1024 });
    const size = (await stat(path)).size;
    expect(reports.length).toBeGreaterThan(5);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.bytesRead).toBeGreaterThanOrEqual(reports[i - 1]!.bytesRead);
    expect(reports.at(-1)).toEqual({ bytesRead: size, totalBytes: size, items: 2000, badRows: 0 });
    expect(summary).toMatchObject({ bytesRead: size, totalBytes: size });
  });

  it("stops with an 'aborted' error when the signal fires", async () => {
    const path = await file("cancel.jsonl", rows(2000));
    const controller = new AbortController();
    const dataset = importDataset(path, { signal: controller.signal, chunkBytes: 8 * 1024 });
    let seen = 0;
    await expect(async () => {
      for await (const _item of dataset) if (++seen === 100) controller.abort();
    }).rejects.toMatchObject({ code: "aborted" });
    expect(seen).toBeLessThan(2000);
    expect(dataset.summary.finished).toBe(false);
  });
});

describe("preview", () => {
  it("shows the first rows and the columns with a suggested mapping, reading no further than needed", async () => {
    const path = await file("preview.csv", "text,is_safe\n" + Array.from({ length: 500 }, (_, i) => `row ${i},${i % 2}`).join("\n"));
    const preview = await previewDataset(path, { rows: 3 });
    expect(preview).toMatchObject({ format: "csv", columns: ["text", "is_safe"], partial: true, badRows: [] });
    expect(preview.rows).toEqual([
      { text: "row 0", is_safe: "0" },
      { text: "row 1", is_safe: "1" },
      { text: "row 2", is_safe: "0" },
    ]);
    expect(preview.detection.mapping).toEqual({ prompt: "text", label: "is_safe", labelTrueMeans: "safe" });
  });

  it("collects the keys of JSON rows", async () => {
    const path = await file("preview.jsonl", `${JSON.stringify({ prompt: "a", label: 1 })}\n${JSON.stringify({ prompt: "b", response: "c" })}\n`);
    const preview = await previewDataset(path);
    expect(preview).toMatchObject({ columns: ["prompt", "label", "response"], partial: false });
    expect(preview.detection.isRecordFormat).toBe(false);
  });
});

describe("100,000 rows in bounded memory", () => {
  const ROWS = 100_000;
  // Rows of about 500 bytes: holding half of them would take well over the bound below.
  const filler = "lorem ipsum dolor sit amet ".repeat(16);
  // Ids of 13 characters or more: V8 makes such slices views into their chunk, so an importer that kept them as they
  // are in its duplicate-id set would keep the whole file alive (measured: ~50 MB retained instead of ~8 MB).
  const id = (i: number) => `dataset-item-${i}`;

  async function writeLines(path: string, header: string | undefined, line: (i: number) => string): Promise<void> {
    const out = createWriteStream(path);
    if (header !== undefined) out.write(header);
    for (let i = 0; i < ROWS; i += 1000) {
      let batch = "";
      for (let j = i; j < i + 1000; j++) batch += line(j);
      if (!out.write(batch)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  }

  // vitest workers run without --expose-gc; V8 can still be asked for the gc function at run time.
  setFlagsFromString("--expose-gc");
  const collectGarbage = runInNewContext("gc") as () => void;

  /** Imports the file, dropping each item, and measures the live heap (after a full GC) as the import goes on. */
  async function importMeasured(path: string, options: ImportOptions) {
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peakRetained = 0;
    let count = 0;
    let unsafe = 0;
    const dataset = importDataset(path, options);
    for await (const item of dataset as AsyncIterable<DatasetItem>) {
      count++;
      if (item.label === "unsafe") unsafe++;
      if (count % 25_000 === 0) {
        collectGarbage();
        peakRetained = Math.max(peakRetained, process.memoryUsage().heapUsed - baseline);
      }
    }
    return { count, unsafe, peakRetained, summary: dataset.summary };
  }

  it("imports a 100k-row JSON Lines file holding at most one chunk of rows at a time", async () => {
    const path = join(dir, "large.jsonl");
    await writeLines(path, undefined, (i) => `${record(id(i), `${i}: ${filler}`, i % 3 === 0 ? "unsafe" : "safe")}\n`);
    const { count, unsafe, peakRetained, summary } = await importMeasured(path, {});
    expect(count).toBe(ROWS);
    expect(unsafe).toBe(Math.ceil(ROWS / 3));
    expect(summary).toMatchObject({ items: ROWS, badRowCount: 0, finished: true });
    // A 64 KiB chunk holds about 130 rows of this size; the bound leaves room for any chunking, and is 1% of the file.
    expect(summary.peakBufferedItems).toBeLessThanOrEqual(1000);
    // What stays alive is the id set (100k short strings), not the rows or chunks: of a ~50 MB file, under 32 MB retained.
    expect(peakRetained).toBeLessThan(32 * 1024 * 1024);
  });

  it("imports a 100k-row CSV file the same way", async () => {
    const path = join(dir, "large.csv");
    await writeLines(path, "id,prompt,label\r\n", (i) => `${id(i)},"${i}: ${filler}, with ""quotes""",${i % 3 === 0 ? 1 : 0}\r\n`);
    const { count, unsafe, peakRetained, summary } = await importMeasured(path, { mapping: { id: "id", prompt: "prompt", label: "label" } });
    expect(count).toBe(ROWS);
    expect(unsafe).toBe(Math.ceil(ROWS / 3));
    expect(summary.peakBufferedItems).toBeLessThanOrEqual(1000);
    expect(peakRetained).toBeLessThan(32 * 1024 * 1024);
  });
});

describe("export", () => {
  const results = [
    { id: "a", label: "unsafe", score: 0.93, categories: ["S1", "S10"], note: 'said "hi", then\nleft' },
    { id: "b", label: "safe", score: 0.02, categories: [], note: undefined },
    { id: "c", label: "safe", score: 0.5, categories: [], note: "=HYPERLINK(\"http://x\")" },
  ];

  it("writes CSV that the importer reads back: quotes, commas, line breaks, lists as JSON", async () => {
    const path = join(dir, "results.csv");
    const summary = await exportResults(results, "csv", path);
    expect(summary).toMatchObject({ path, rows: 3 });
    const text = await readFile(path, "utf8");
    expect(text.split("\r\n")[0]).toBe("id,label,score,categories,note");
    expect(text).toContain('a,unsafe,0.93,"[""S1"",""S10""]","said ""hi"", then\nleft"\r\n');
    expect(text).toContain("b,safe,0.02,[],\r\n");
    const { items } = await readDataset(path, { mapping: { id: "id", prompt: "note", label: "label", categories: "categories" } });
    expect(items[0]).toMatchObject({ id: "a", label: "unsafe", categories: ["S1", "S10"], turns: [{ role: "user", content: 'said "hi", then\nleft' }] });
  });

  it("guards spreadsheet formulas when asked to", async () => {
    const path = join(dir, "safe-for-excel.csv");
    await exportResults(results, "csv", path, { spreadsheetSafe: true });
    expect(await readFile(path, "utf8")).toContain(`c,safe,0.5,[],"'=HYPERLINK(""http://x"")"`);
  });

  it("writes JSON Lines, one object per line, from an async generator", async () => {
    async function* rows() {
      yield* results;
    }
    const path = join(dir, "results.jsonl");
    await exportResults(rows(), "jsonl", path);
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual(results.map((row) => JSON.parse(JSON.stringify(row))));
  });

  it("refuses a row with a field outside the CSV columns, leaving no file behind", async () => {
    const path = join(dir, "strict.csv");
    await expect(exportResults([{ id: "a" }, { id: "b", extra: 1 }], "csv", path)).rejects.toThrow(ExportError);
    await expect(exportResults([{ id: "a" }, { id: "b", extra: 1 }], "csv", path)).rejects.toThrow(/row 2 has "extra", which the CSV columns \(id\) leave out/);
    expect((await readdir(dir)).filter((name) => name.startsWith("strict.csv"))).toEqual([]);
  });

  it("writes the header for an empty export when the columns are given", async () => {
    const path = join(dir, "empty.csv");
    await exportResults([], "csv", path, { columns: ["id", "label"] });
    expect(await readFile(path, "utf8")).toBe("id,label\r\n");
  });
});

describe("demo datasets", () => {
  it("ship with their READMEs and import cleanly with the counts they declare", async () => {
    const demos = demoDatasets();
    expect(demos.map((demo) => demo.name)).toEqual(["xstest", "sample-chats"]);
    for (const demo of demos) {
      expect(await readFile(demo.readmePath, "utf8")).toMatch(/licen[cs]e/i);
      const { items, summary } = await readDataset(demo.path);
      expect(summary.badRowCount).toBe(0);
      expect(items).toHaveLength(demo.rows);
      expect(items.filter((item) => item.label === "safe")).toHaveLength(demo.safe);
      expect(items.filter((item) => item.label === "unsafe")).toHaveLength(demo.unsafe);
    }
    expect(demos[0]).toMatchObject({ licence: "CC-BY-4.0", attribution: expect.stringMatching(/Röttger/) });
  });
});
