/** The one UTF-8 rule for every text file Guardbench reads (electron/datasets/textFile.ts), on real files. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstInvalidUtf8, readTextChunks, readTextFile, TextFileError, Utf8TextDecoder } from "../../../../electron/datasets/textFile.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "guardbench-utf8-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failureOf(read: Promise<unknown>): Promise<TextFileError> {
  const error = await read.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TextFileError);
  return error as TextFileError;
}

async function readChunked(path: string, chunkBytes: number): Promise<string> {
  let text = "";
  for await (const chunk of readTextChunks(path, { chunkBytes })) text += chunk.text;
  return text;
}

describe("firstInvalidUtf8", () => {
  it("agrees with a strict decoder on random bytes, and finds the first bad byte", () => {
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const strict = new TextDecoder("utf-8", { fatal: true });
    // Mostly valid text with stray bytes: overlongs, surrogates, cut-off sequences, bytes past U+10FFFF.
    const pieces = [[0x41], [0x0a], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff], [0xf0, 0x9f]];
    for (let round = 0; round < 3000; round++) {
      const bytes = new Uint8Array(Array.from({ length: random(8) }, () => pieces[random(pieces.length)]!).flat());
      const at = firstInvalidUtf8(bytes);
      let valid = true;
      try {
        strict.decode(bytes);
      } catch {
        valid = false;
      }
      const shown = `bytes ${[...bytes].map((b) => b.toString(16)).join(" ")}`;
      expect(at === bytes.length, shown).toBe(valid);
      if (valid) continue;
      expect(() => strict.decode(bytes.subarray(0, at))).not.toThrow();
      // Fed in random pieces, the streaming decoder names the same offset.
      const decoder = new Utf8TextDecoder("x");
      let message = "";
      try {
        for (let start = 0; start < bytes.length; ) {
          const end = Math.min(bytes.length, start + 1 + random(4));
          decoder.decode(bytes.subarray(start, end));
          start = end;
        }
        decoder.end();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, shown).toContain(`the byte at offset ${at} `);
    }
  });
});

describe("reading a text file", () => {
  it("names the byte offset and line of the first bad byte, whichever chunk it falls in", async () => {
    const text = Buffer.from("line one\nline two é\nthird ");
    const path = join(dir, "latin1.txt");
    // "café" saved as Latin-1: 0xE9 followed by a line break is not UTF-8.
    await writeFile(path, Buffer.concat([text, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), Buffer.from("more\n")]));
    const offset = text.length + 3;
    for (const chunkBytes of [1, 2, 3, 5, 64 * 1024]) {
      const error = await failureOf(readChunked(path, chunkBytes));
      expect(error.code).toBe("not-utf8");
      expect(error.message).toBe(`${path} is not UTF-8 text: the byte at offset ${offset} (line 3) is not valid UTF-8`);
      expect(error.hint).toMatch(/save the file as UTF-8/);
    }
  });

  it("reports a character cut off by the end of the file where it starts", async () => {
    const path = join(dir, "cut.txt");
    await writeFile(path, Buffer.concat([Buffer.from("ok\n€"), Buffer.from([0xe2, 0x82])]));
    for (const chunkBytes of [1, 4, 1024]) {
      expect((await failureOf(readChunked(path, chunkBytes))).message).toBe(`${path} is not UTF-8 text: the byte at offset 6 (line 2) is not valid UTF-8 (the text ends in the middle of a character)`);
    }
  });

  it("reads a character split across chunks, and drops a UTF-8 byte-order mark", async () => {
    const path = join(dir, "good.txt");
    await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("é€😀\nUser: hi")]));
    for (const chunkBytes of [1, 2, 3, 7]) expect(await readChunked(path, chunkBytes)).toBe("é€😀\nUser: hi");
    expect(await readTextFile(path)).toBe("é€😀\nUser: hi");
  });

  it.each([
    ["with a little-endian byte-order mark", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("User: hi", "utf16le")]), "it starts with a UTF-16 byte-order mark"],
    ["with a big-endian byte-order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("User: hi", "utf16le").swap16()]), "it starts with a UTF-16 byte-order mark"],
    ["without a byte-order mark", Buffer.from("User: hi\nAssistant: hello", "utf16le"), "every other byte is zero"],
  ])("names UTF-16 %s as UTF-16", async (_what, bytes, why) => {
    const path = join(dir, "utf16.txt");
    await writeFile(path, bytes);
    const error = await failureOf(readTextFile(path, "chat.txt"));
    expect(error.message).toBe(`chat.txt is UTF-16 text (${why}), not UTF-8`);
    expect(error.hint).toMatch(/^save it as UTF-8/);
  });

  it("decodes a stream (standard input) by the same rule", async () => {
    const decoder = new Utf8TextDecoder("standard input");
    expect(decoder.decode(Buffer.from("ab"))).toBe("ab");
    expect(() => decoder.decode(Buffer.from([0x0a, 0xc3, 0x28]))).toThrow("standard input is not UTF-8 text: the byte at offset 3 (line 2) is not valid UTF-8");
  });
});
