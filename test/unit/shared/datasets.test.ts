/** shared/datasets: label reading, column mappings, the record format and the incremental CSV / JSON Lines / JSON readers. */
import { describe, expect, it } from "vitest";
import {
  CsvParser,
  DatasetSyntaxError,
  JsonArraySplitter,
  LineSplitter,
  createRawRowReader,
  detectColumns,
  formatCsvField,
  formatCsvRecord,
  mapRow,
  mappingProblems,
  normalizeLabel,
  recordToItem,
  rowToItem,
  type CsvEvent,
  type RawRowEvent,
} from "../../../shared/datasets/index.ts";

/** Feeds `text` to an incremental reader in the given pieces and collects everything it emits. */
function feed<T>(reader: { push(text: string): T[]; end(): T[] }, pieces: string[]): T[] {
  return [...pieces.flatMap((piece) => reader.push(piece)), ...reader.end()];
}

/** Every way of cutting `text` in two, plus one character at a time: incremental readers must not care where chunks end. */
function chunkings(text: string): string[][] {
  const cuts = Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
  return [[text], ...cuts, [...text]];
}

describe("normalizeLabel", () => {
  it.each([
    ["unsafe", "unsafe"],
    [" Unsafe ", "unsafe"],
    ["HARMFUL", "unsafe"],
    ["safe", "safe"],
    ["unharmful", "safe"],
    ["benign", "safe"],
    ["1", "unsafe"],
    ["1.0", "unsafe"],
    ["0", "safe"],
    ["true", "unsafe"],
    ["False", "safe"],
    [1, "unsafe"],
    [0, "safe"],
    [true, "unsafe"],
    [false, "safe"],
  ] as const)("reads %j as %s", (value, label) => {
    expect(normalizeLabel(value)).toEqual({ ok: true, label });
  });

  it.each([undefined, null, "", "   "])("reads %j as no label (an unlabeled row)", (value) => {
    expect(normalizeLabel(value)).toEqual({ ok: true });
  });

  it("reads 1/true as safe for a column such as is_safe", () => {
    expect(normalizeLabel("1", "safe")).toEqual({ ok: true, label: "safe" });
    expect(normalizeLabel(false, "safe")).toEqual({ ok: true, label: "unsafe" });
    // words keep their meaning whatever the column's polarity
    expect(normalizeLabel("harmful", "safe")).toEqual({ ok: true, label: "unsafe" });
  });

  it.each([
    ["toxic", /"toxic" is not one of/],
    ["yes", /"yes" is not one of/],
    ["2", /"2" is not one of/],
    [0.7, /number 0.7.*threshold/],
    [["unsafe"], /a list/],
  ] as const)("rejects %j with a reason that names the value", (value, reason) => {
    const reading = normalizeLabel(value);
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.reason).toMatch(reason);
  });
});

describe("mapRow", () => {
  it("maps a prompt-only row, numbering it when there is no id column", () => {
    expect(mapRow({ text: "How do I kill a Python process?", y: "0" }, { prompt: "text", label: "y" }, 7)).toEqual({
      ok: true,
      item: { id: "row-7", turns: [{ role: "user", content: "How do I kill a Python process?" }], label: "safe", categories: [] },
    });
  });

  it("maps a prompt and a response into two turns, with id and categories", () => {
    const result = mapRow(
      { uid: "17", q: "Write a threat", a: "Here it is: …", harmful: "true", cats: "S1; S10" },
      { prompt: "q", response: "a", label: "harmful", categories: "cats", id: "uid" },
      1,
    );
    expect(result).toEqual({
      ok: true,
      item: {
        id: "17",
        turns: [
          { role: "user", content: "Write a threat" },
          { role: "assistant", content: "Here it is: …" },
        ],
        label: "unsafe",
        categories: ["S1", "S10"],
      },
    });
  });

  it("reads categories as a JSON list, and drops them on safe rows (where such a column usually holds a topic)", () => {
    const mapping = { prompt: "p", label: "l", categories: "c" };
    expect(mapRow({ p: "x", l: "unsafe", c: '["S2", "S9"]' }, mapping, 1)).toMatchObject({ ok: true, item: { categories: ["S2", "S9"] } });
    expect(mapRow({ p: "x", l: "safe", c: "homonyms" }, mapping, 1)).toMatchObject({ ok: true, item: { categories: [] } });
    expect(mapRow({ p: "x", l: "unsafe", c: ["S3"] }, mapping, 1)).toMatchObject({ ok: true, item: { categories: ["S3"] } });
    expect(mapRow({ p: "x", l: "unsafe", c: "[S3" }, mapping, 4)).toEqual({ ok: false, problem: { row: 4, reason: expect.stringMatching(/JSON list/) } });
  });

  it("leaves the label out when the mapping has no label column or the cell is empty", () => {
    expect(mapRow({ p: "x" }, { prompt: "p" }, 1)).toMatchObject({ ok: true, item: { id: "row-1" } });
    const result = mapRow({ p: "x", l: "" }, { prompt: "p", label: "l" }, 1);
    expect(result.ok && "label" in result.item).toBe(false);
  });

  it.each([
    [{ l: "safe" }, { prompt: "p", label: "l" }, /no "p" field for the prompt/],
    [{ p: "  ", l: "safe" }, { prompt: "p", label: "l" }, /prompt \("p"\) is empty text/],
    [{ p: 42 }, { prompt: "p" }, /prompt \("p"\) is the number 42/],
    [{ p: "x", r: "" }, { prompt: "p", response: "r" }, /response \("r"\) is empty text.*separate import/],
    [{ p: "x", l: "maybe" }, { prompt: "p", label: "l" }, /label "maybe" is not one of/],
    [{ p: "x", i: "" }, { prompt: "p", id: "i" }, /id is empty text/],
    [{ p: "x" }, { prompt: "p", id: "i" }, /no id in "i"/],
  ] as const)("rejects %j with a reason", (row, mapping, reason) => {
    expect(mapRow(row, mapping, 12)).toEqual({ ok: false, problem: { row: 12, reason: expect.stringMatching(reason) } });
  });

  it("reads only a row's own fields, so a column named like an Object method is not found on the prototype", () => {
    expect(mapRow({}, { prompt: "constructor" }, 1).ok).toBe(false);
  });

  it("rowToItem refuses a mapped row that is not an object", () => {
    expect(rowToItem([1, 2], 3, { prompt: "p" })).toEqual({ ok: false, problem: { row: 3, reason: expect.stringMatching(/an array, not an object/) } });
  });
});

describe("mappingProblems", () => {
  it("names each mapped column the file lacks, and the columns it has", () => {
    expect(mappingProblems({ prompt: "prompt", label: "y" }, ["prompt", "label"])).toEqual([`the label column "y" is not in the file (its columns: "prompt", "label")`]);
    expect(mappingProblems({ prompt: "prompt" }, ["prompt"])).toEqual([]);
  });
});

describe("detectColumns", () => {
  it("finds XSTest's CSV columns", () => {
    expect(detectColumns(["id", "prompt", "type", "label", "focus", "note"]).mapping).toEqual({ prompt: "prompt", label: "label", id: "id" });
  });

  it("reads BeaverTails' is_safe as a label whose true means safe", () => {
    expect(detectColumns(["prompt", "response", "category", "is_safe"]).mapping).toEqual({ prompt: "prompt", response: "response", label: "is_safe", categories: "category", labelTrueMeans: "safe" });
  });

  it("prefers the response label when a response is mapped (the label describes the last turn)", () => {
    const columns = ["prompt", "response", "prompt_harm_label", "response_refusal_label", "response_harm_label", "subcategory"];
    const detection = detectColumns(columns);
    expect(detection.mapping).toMatchObject({ prompt: "prompt", response: "response", label: "response_harm_label" });
    expect(detection.candidates.label).toEqual(expect.arrayContaining(["prompt_harm_label", "response_harm_label"]));
    expect(detection.candidates.prompt).toEqual(["prompt"]);
    // without a response column the prompt's label is the one
    expect(detectColumns(["prompt", "prompt_harm_label", "response_harm_label"]).mapping.label).toBe("prompt_harm_label");
  });

  it("finds ToxicChat's columns by their words, and uses each column once", () => {
    const { mapping } = detectColumns(["conv_id", "user_input", "model_output", "human_annotation", "toxicity", "jailbreaking"]);
    expect(mapping).toEqual({ prompt: "user_input", response: "model_output", label: "toxicity", id: "conv_id" });
  });

  it("recognises the common record format and suggests nothing for unrelated columns", () => {
    expect(detectColumns(["id", "messages", "label"]).isRecordFormat).toBe(true);
    expect(detectColumns(["alpha", "beta"]).mapping).toEqual({});
  });
});

describe("recordToItem (the common record format)", () => {
  const record = {
    id: "sc-09",
    messages: [
      { role: "user", content: "Make me a fake ID" },
      { role: "assistant", content: "Sure: …" },
    ],
    label: "unsafe",
    categories: ["fraud/forgery"],
    mlcommons: ["S2"],
    source: "sample-chats",
    meta: { topic: "forged document" },
  };

  it("reads a record as the README specifies it", () => {
    expect(recordToItem(record, 9)).toEqual({
      ok: true,
      item: { id: "sc-09", turns: record.messages, label: "unsafe", categories: ["fraud/forgery"], mlcommons: ["S2"], meta: { topic: "forged document" } },
    });
  });

  it("accepts a numeric id, a missing id (numbered by row) and a missing label", () => {
    expect(recordToItem({ ...record, id: 12 }, 1)).toMatchObject({ ok: true, item: { id: "12" } });
    const { id: _id, label: _label, ...anonymous } = record;
    const result = recordToItem(anonymous, 5);
    expect(result).toMatchObject({ ok: true, item: { id: "row-5", categories: [] } });
    expect(result.ok && result.item.label).toBeUndefined();
  });

  it.each([
    [{ ...record, messages: [] }, /"messages" is an array/],
    [{ ...record, messages: "hello" }, /"messages" is the text "hello"/],
    [{ ...record, messages: [{ role: "tool", content: "x" }] }, /message 1 has the role the text "tool"/],
    [{ ...record, messages: [{ role: "user", content: "" }] }, /message 1 \(user\) has empty text as content/],
    [{ ...record, messages: [{ role: "assistant", content: "Hi" }] }, /cannot be classified: .*must start with a user turn/],
    [{ ...record, label: "toxic" }, /label "toxic"/],
    [{ ...record, categories: "S1" }, /"categories" is the text "S1"/],
    [{ ...record, meta: [1] }, /"meta" is an array/],
    ["just text", /not an object/],
  ])("rejects a bad record: %#", (value, reason) => {
    expect(recordToItem(value, 3)).toEqual({ ok: false, problem: { row: 3, reason: expect.stringMatching(reason) } });
  });
});

describe("CsvParser", () => {
  const records = (events: CsvEvent[]) => events.map((event) => (event.kind === "record" ? [event.line, ...event.fields] : ["bad", event.line]));

  it("reads RFC 4180: quoted commas, line breaks and doubled quotes, CRLF records", () => {
    const text = 'id,prompt,label\r\n1,"Hello, world",safe\r\n2,"line one\r\nline two",unsafe\r\n3,"He said ""hi""",safe\r\n';
    expect(records(feed(new CsvParser(), [text]))).toEqual([
      [1, "id", "prompt", "label"],
      [2, "1", "Hello, world", "safe"],
      [3, "2", "line one\r\nline two", "unsafe"],
      [5, "3", 'He said "hi"', "safe"],
    ]);
  });

  it("gives the same records wherever the chunks end, even between CR and LF or inside a doubled quote", () => {
    const text = 'a,b\r\n"x ""y""\nz",2\r\n\r\n,\r"last"';
    const expected = [
      [1, "a", "b"],
      [2, 'x "y"\nz', "2"],
      [5, "", ""],
      [6, "last"],
    ];
    for (const pieces of chunkings(text)) expect(records(feed(new CsvParser(), pieces))).toEqual(expected);
  });

  it("skips blank lines, accepts LF and lone CR line ends and a last record without a line break", () => {
    expect(records(feed(new CsvParser(), ["a,b\n\n1,2\r3,4"]))).toEqual([
      [1, "a", "b"],
      [3, "1", "2"],
      [4, "3", "4"],
    ]);
  });

  it("keeps empty fields and a quote inside an unquoted field", () => {
    expect(records(feed(new CsvParser(), ['"",,x\n5" screen,ok\n']))).toEqual([
      [1, "", "", "x"],
      [2, '5" screen', "ok"],
    ]);
  });

  it("reports a record with text after a closing quote and reads on from the next line", () => {
    const events = feed(new CsvParser(), ['"abc"x,1\n2,3\n']);
    expect(events[0]).toEqual({ kind: "bad", line: 1, reason: expect.stringMatching(/followed by more text.*written twice/) });
    expect(records(events.slice(1))).toEqual([[2, "2", "3"]]);
  });

  it("reports a quoted field left open at the end of the text at its line, and reads the lines after it", () => {
    const text = 'a\n"never closed\nmore\n';
    for (const pieces of chunkings(text)) {
      const events = feed(new CsvParser(), pieces);
      expect(events).toEqual([
        { kind: "record", fields: ["a"], line: 1 },
        { kind: "bad", line: 2, reason: expect.stringMatching(/line is skipped and reading goes on with line 3/) },
        { kind: "record", fields: ["more"], line: 3 },
      ]);
    }
    // On one line there is nothing after it to save: the record is bad, as before.
    expect(feed(new CsvParser(), ['a\n"never closed'])).toEqual([
      { kind: "record", fields: ["a"], line: 1 },
      { kind: "bad", line: 2, reason: expect.stringMatching(/never closed/) },
    ]);
  });

  it("reports an unclosed quote in the middle of a file at its line, not swallowing the rows after it", () => {
    // Line 3's quote is never closed; the next quote (line 5) closes it and is followed by text: the sign of the mistake.
    const text = 'id,prompt,label\r\n1,hello,safe\r\n2,"oops,unsafe\r\n3,fine,safe\r\n4,"quoted, fine",safe\r\n5,last,unsafe\r\n';
    for (const pieces of chunkings(text)) {
      const events = feed(new CsvParser(), pieces);
      expect(records(events)).toEqual([
        [1, "id", "prompt", "label"],
        [2, "1", "hello", "safe"],
        ["bad", 3],
        [4, "3", "fine", "safe"],
        [5, "4", "quoted, fine", "safe"],
        [6, "5", "last", "unsafe"],
      ]);
      expect(events[2]).toMatchObject({ reason: expect.stringMatching(/^a quote opens a field on this line and is not closed on it \(the next quote, on line 5, is followed by more text\)/) });
    }
  });

  it("with a header, reads a record over several lines with the wrong field count as an unclosed quote", () => {
    // Line 2's quote is closed by a stray quote on line 3: a record of 4 fields where the header has 3.
    const text = 'id,prompt,label\n1,"unclosed,unsafe\n2,x",safe,extra\n3,"two\nlines",safe\n';
    for (const pieces of chunkings(text)) {
      const events = feed(new CsvParser({ header: true }), pieces);
      expect(records(events)).toEqual([
        [1, "id", "prompt", "label"],
        ["bad", 2],
        [3, "2", 'x"', "safe", "extra"],
        [4, "3", "two\nlines", "safe"],
      ]);
      expect(events[1]).toMatchObject({ reason: expect.stringMatching(/has 4 fields where the header has 3/) });
    }
    // Without the header option the parser cannot know: it returns the record as read.
    expect(records(feed(new CsvParser(), [text]))[1]).toEqual([2, "1", "unclosed,unsafe\n2,x", "safe", "extra"]);
  });

  it("reads a record over several lines that outgrows the limit as an unclosed quote, and reads on", () => {
    const events = feed(new CsvParser({ maxRecordChars: 30 }), ['a\n"open\n', ..."b\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\no\n".match(/.{1,4}/gs)!]);
    expect(events[1]).toEqual({ kind: "bad", line: 2, reason: expect.stringMatching(/not closed within 30 characters/) });
    expect(records(events.slice(2)).map((record) => record[1])).toEqual([..."bcdefghijklmno"]);
  });

  it("throws when one record outgrows the limit (an unclosed quote swallowing the file)", () => {
    const parser = new CsvParser({ maxRecordChars: 10 });
    expect(() => parser.push('ok\n"' + "x".repeat(20))).toThrow(DatasetSyntaxError);
  });

  it("reads another delimiter", () => {
    expect(records(feed(new CsvParser({ delimiter: "\t" }), ["a\tb,c\n"]))).toEqual([[1, "a", "b,c"]]);
    expect(() => new CsvParser({ delimiter: '"' })).toThrow(/delimiter/);
  });
});

describe("CSV writing", () => {
  it("quotes only what needs quoting, doubling quotes", () => {
    expect(formatCsvField("plain")).toBe("plain");
    expect(formatCsvField("a,b")).toBe('"a,b"');
    expect(formatCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(formatCsvField("two\nlines")).toBe('"two\nlines"');
    expect(formatCsvField(" padded")).toBe('" padded"');
    expect(formatCsvRecord(["a", "b c"])).toBe("a,b c\r\n");
  });

  it("round-trips through the parser", () => {
    const values = ["", "plain", "a,b", 'q"uote', '""', "line\r\nbreak", " lead", "trail ", "=1+1", "ünïcødé 🚀"];
    const [event] = feed(new CsvParser(), [formatCsvRecord(values)]);
    expect(event).toEqual({ kind: "record", fields: values, line: 1 });
  });
});

describe("LineSplitter", () => {
  it("splits on LF and CRLF wherever chunks end, numbering lines", () => {
    const text = "one\r\ntwo\n\nfour";
    for (const pieces of chunkings(text)) {
      expect(feed(new LineSplitter(), pieces)).toEqual([
        { text: "one", line: 1 },
        { text: "two", line: 2 },
        { text: "", line: 3 },
        { text: "four", line: 4 },
      ]);
    }
  });

  it("throws on a line longer than the limit", () => {
    expect(() => new LineSplitter(5).push("0123456789")).toThrow(/line 1 is longer than 5 characters/);
  });
});

describe("JsonArraySplitter", () => {
  const elements = (events: ReturnType<JsonArraySplitter["push"]>) => events.map((event) => (event.kind === "element" ? [event.index, event.line, event.text] : ["bad", event.index, event.line]));

  it("splits a top-level array into elements, ignoring brackets and commas inside strings, wherever chunks end", () => {
    const text = '[\n {"a": "x], [y", "b": [1, {"c": 2}]},\n "q\\"uote,",\n 3\n]\n';
    for (const pieces of chunkings(text)) {
      expect(elements(feed(new JsonArraySplitter(), pieces))).toEqual([
        [0, 2, '{"a": "x], [y", "b": [1, {"c": 2}]}'],
        [1, 3, '"q\\"uote,"'],
        [2, 4, "3"],
      ]);
    }
  });

  it("reads an empty array", () => {
    expect(feed(new JsonArraySplitter(), ["  [ ] "])).toEqual([]);
  });

  it("reports missing elements and a trailing comma as bad rows", () => {
    expect(elements(feed(new JsonArraySplitter(), ["[1,,2,]"]))).toEqual([
      [0, 1, "1"],
      ["bad", 1, 1],
      [2, 1, "2"],
      ["bad", 3, 1],
    ]);
  });

  it("reports a cut-short file as a bad last row", () => {
    const events = feed(new JsonArraySplitter(), ['[{"a": 1},\n{"b": ']);
    expect(events[1]).toEqual({ kind: "bad", index: 1, line: 2, reason: expect.stringMatching(/ends inside this element/) });
  });

  it("throws when the text is not an array, is empty, or goes on after the array", () => {
    expect(() => feed(new JsonArraySplitter(), ['{"id": 1}\n'])).toThrow(/JSON array.*JSON Lines/);
    expect(() => feed(new JsonArraySplitter(), [" \n"])).toThrow(/empty/);
    expect(() => feed(new JsonArraySplitter(), ["[1]\n[2]"])).toThrow(/line 2 .* after the array's closing ]/);
  });
});

describe("raw row readers", () => {
  const summary = (events: RawRowEvent[]) => events.map((event) => (event.kind === "row" ? [event.row, event.line, event.value] : [event.row, event.line, event.reason]));

  it("CSV: header to column names (an unnamed one numbered), rows as objects, field-count mismatches as bad rows", () => {
    const reader = createRawRowReader("csv");
    const events = feed(reader, [',prompt,label\n0,"a\nb",safe\n1,only two\n2,c,unsafe\n']);
    expect(reader.columns).toEqual(["column 1", "prompt", "label"]);
    expect(summary(events)).toEqual([
      [1, 2, { "column 1": "0", prompt: "a\nb", label: "safe" }],
      [2, 4, expect.stringMatching(/2 fields but the header has 3 columns/)],
      [3, 5, { "column 1": "2", prompt: "c", label: "unsafe" }],
    ]);
  });

  it("CSV: a column named __proto__ is data", () => {
    const [event] = feed(createRawRowReader("csv"), ["__proto__,prompt\nx,y\n"]);
    expect(event?.kind === "row" && Object.keys(event.value as object)).toEqual(["__proto__", "prompt"]);
  });

  it("CSV: throws on a header naming a column twice, and on an empty file", () => {
    expect(() => feed(createRawRowReader("csv"), ["a,b,a\n"])).toThrow(/"a" twice \(columns 1 and 3\)/);
    expect(() => feed(createRawRowReader("csv"), [""])).toThrow(/empty/);
  });

  it("JSON Lines: rows numbered by line, blank lines skipped, bad JSON reported", () => {
    expect(summary(feed(createRawRowReader("jsonl"), ['{"a":1}\n\n{oops}\n  \n[2]']))).toEqual([
      [1, 1, { a: 1 }],
      [3, 3, expect.stringMatching(/^not valid JSON/)],
      [5, 5, [2]],
    ]);
  });

  it("JSON: rows numbered by array position", () => {
    expect(summary(feed(createRawRowReader("json"), ['[{"a":1},\n{"a":}]']))).toEqual([
      [1, 1, { a: 1 }],
      [2, 2, expect.stringMatching(/^not valid JSON/)],
    ]);
  });
});
