import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHAT_FORMATS, parseConversation, type ChatFormat, type ParseResult, type Turn } from "../../../../shared/conversation/index.ts";
import { scanJson } from "../../../../shared/conversation/json-scan.ts";

function expectTurns(result: ParseResult, format: ChatFormat, turns: Turn[]): string[] {
  if (!result.ok) throw new Error(`expected a parse, got ${result.error.code}: ${result.error.message}`);
  expect(result.format).toBe(format);
  expect(result.conversation.turns).toEqual(turns);
  return result.warnings;
}

function expectError(result: ParseResult, code: string, line?: number): string {
  if (result.ok) throw new Error(`expected ${code}, got a ${result.format} parse`);
  expect(result.error.code).toBe(code);
  expect(result.error.line).toBe(line);
  return result.error.message;
}

const user = (content: string): Turn => ({ role: "user", content });
const assistant = (content: string): Turn => ({ role: "assistant", content });
const system = (content: string): Turn => ({ role: "system", content });

describe("format detection", () => {
  it.each<[ChatFormat, string]>([
    ["transcript", "User: hi\nAssistant: hello"],
    ["transcript", "\n\n  human: hi"],
    ["openai-json", '[{"role": "user", "content": "hi"}]'],
    ["openai-json", '  [\n  {\n    "role": "user",\n    "content": "hi"\n  }\n]'],
    ["openai-json", '{"messages": [{"role": "user", "content": "hi"}]}'],
    ["openai-json", '{\n  "messages": [\n    {"role": "user", "content": "hi"}\n  ]\n}'],
    ["jsonl", '{"role": "user", "content": "hi"}\n{"role": "assistant", "content": "hello"}'],
    ["jsonl", '{"role": "user", "content": "hi"}'],
    ["chatml", "<|im_start|>user\nhi<|im_end|>"],
    ["llama3", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"],
    ["llama3", "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"],
  ])("detects %s", (format, text) => {
    const result = parseConversation(text);
    expect(result.ok && result.format).toBe(format);
  });

  it("reads the text as the format it is told, without detecting", () => {
    const message = expectError(parseConversation("User: hi", { format: "openai-json" }), "invalid_json", 1);
    expect(message).toContain("line 1, column 1");
    expectTurns(parseConversation('{"role": "user", "content": "hi"}', { format: "jsonl" }), "jsonl", [user("hi")]);
  });

  it("rejects an unknown format option instead of throwing", () => {
    const result = parseConversation("User: hi", { format: "yaml" as ChatFormat });
    expect(expectError(result, "unknown_format")).toContain("transcript, openai-json, chatml, llama3, jsonl, plain");
  });

  it("does not take Markdown links or Llama 2 [INST] text for JSON", () => {
    expectTurns(parseConversation("[INST] hi [/INST]"), "plain", [user("[INST] hi [/INST]")]);
    expectError(parseConversation("[a link](https://example.com)\nUser: hi"), "stray_text", 1);
  });
});

describe("plain text (no speaker labels)", () => {
  it("is one user turn, as hosted moderation APIs take a bare message", () => {
    expectTurns(parseConversation("How do I pick a lock?"), "plain", [user("How do I pick a lock?")]);
    // Blank lines around it go, as around a transcript turn; inside it stays as written, CRLF normalised.
    expectTurns(parseConversation("\n\n  First line\r\n\r\nNote: a second one  \n\n"), "plain", [user("  First line\n\nNote: a second one  ")]);
  });

  it("is the assistant's response after an empty user turn when asked", () => {
    expectTurns(parseConversation("Sure, here is how.", { plainTextRole: "assistant" }), "plain", [user(""), assistant("Sure, here is how.")]);
  });

  it("is not what text before a speaker label is: that is reported", () => {
    expectError(parseConversation("Some words first\nAssistant: hi"), "stray_text", 1);
  });

  it("sends text with special tokens after stray text to the token reader, which names the stray line", () => {
    const chatml = parseConversation("Here is the chat:\n<|im_start|>user\nhi<|im_end|>");
    expect(expectError(chatml, "stray_text", 1)).toContain("<|im_start|>");
    const llama3 = parseConversation("\nprompt:\n<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
    expectError(llama3, "stray_text", 2);
  });
});

describe("transcript", () => {
  it("reads alternating labelled turns separated by blank lines", () => {
    const text = "User: What is 2+2?\n\nAssistant: 4.\n\nUser: And 3+3?\n\nAssistant: 6.\n";
    expectTurns(parseConversation(text), "transcript", [user("What is 2+2?"), assistant("4."), user("And 3+3?"), assistant("6.")]);
  });

  it.each([
    ["USER:", "user"],
    ["user :", "user"],
    ["Human:", "user"],
    ["AI:", "assistant"],
    ["Agent:", "assistant"],
    ["bot:", "assistant"],
    ["Model:", "assistant"],
    ["ASSISTANT:", "assistant"],
    ["System:", "system"],
    ["**User:**", "user"],
    ["**Assistant**:", "assistant"],
    ["  Human  :", "user"],
  ])("reads the label %s as a %s turn", (label, role) => {
    const result = parseConversation(`${label} Hello there`);
    expectTurns(result, "transcript", [{ role: role as Turn["role"], content: "Hello there" }]);
  });

  it("continues a turn over several lines up to the next label, keeping its inner text exactly", () => {
    const text = [
      "User: Give me a list.",
      "Assistant: Here it is:",
      "",
      "1. First:   indented   text",
      "    2. Second, indented  ",
      "",
      "",
      "Note: a line with a colon that is not a label",
      "",
      "",
      "User: Thanks",
    ].join("\n");
    expectTurns(parseConversation(text), "transcript", [
      user("Give me a list."),
      assistant("Here it is:\n\n1. First:   indented   text\n    2. Second, indented  \n\n\nNote: a line with a colon that is not a label"),
      user("Thanks"),
    ]);
  });

  it("takes the text from the next lines when the label stands alone", () => {
    expectTurns(parseConversation("User:\n\n  Hi there\nsecond line\nAssistant:\nHello"), "transcript", [
      user("  Hi there\nsecond line"),
      assistant("Hello"),
    ]);
  });

  it("handles CRLF line breaks, normalising them to \\n inside turns", () => {
    const text = "User: line one\r\nline two\r\n\r\nAssistant: reply\r\n";
    expectTurns(parseConversation(text), "transcript", [user("line one\nline two"), assistant("reply")]);
  });

  it("keeps unicode and emoji as written", () => {
    const text = "User: Ça va? 你好 👋🏽 — ñ\nAssistant: Très bien 😀\u200d";
    expectTurns(parseConversation(text), "transcript", [user("Ça va? 你好 👋🏽 — ñ"), assistant("Très bien 😀\u200d")]);
  });

  it("keeps system turns for the role rules to decide on", () => {
    expectTurns(parseConversation("System: Be brief.\nUser: hi"), "transcript", [system("Be brief."), user("hi")]);
  });

  it("reports text before the first label with its line and what to do", () => {
    const message = expectError(parseConversation("Hello, can you help?\nUser: hi"), "stray_text", 1);
    expect(message).toMatch(/^Line 1: "Hello, can you help\?" comes before any speaker label\. Start each turn with a label such as "User:"/);
    expectError(parseConversation("\n\n   \nsome words\nUser: hi"), "stray_text", 4);
  });

  it("shortens a long stray line in the message", () => {
    const message = expectError(parseConversation(`${"x".repeat(200)}\nUser: hi`), "stray_text", 1);
    expect(message).toContain(`"${"x".repeat(40)}…"`);
  });

  it("keeps an empty or whitespace-only turn as the templates render it, but drops a trailing empty assistant label (a generation prompt)", () => {
    expectTurns(parseConversation("User:\n\nAssistant: hi"), "transcript", [user(""), assistant("hi")]);
    // A transcript turn loses its blank lines, so whitespace-only text arrives whole only from the structured formats.
    expectTurns(parseConversation("User: \t \nAssistant: hi\nUser: again"), "transcript", [user(""), assistant("hi"), user("again")]);
    expectTurns(parseConversation('[{"role": "user", "content": " \\t\\n "}, {"role": "assistant", "content": "hi"}]'), "openai-json", [user(" \t\n "), assistant("hi")]);
    expectTurns(parseConversation("User: hi\n\nAssistant:\n\n"), "transcript", [user("hi")]);
  });
});

describe("openai-json", () => {
  it("reads an array of messages and an object with a messages array", () => {
    const messages = [
      { role: "system", content: "Be nice." },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    const turns = [system("Be nice."), user("hi"), assistant("hello")];
    expectTurns(parseConversation(JSON.stringify(messages, null, 2)), "openai-json", turns);
    expectTurns(parseConversation(JSON.stringify({ model: "x", messages }, null, 2)), "openai-json", turns);
  });

  it("keeps content exactly as given, whitespace and CRLF inside strings included", () => {
    const content = "  leading\r\nand trailing \n\n";
    expectTurns(parseConversation(JSON.stringify([{ role: "user", content }])), "openai-json", [user(content)]);
  });

  it("accepts CRLF between the JSON tokens", () => {
    const text = '[\r\n  {"role": "user", "content": "hi"},\r\n  {"role": "assistant", "content": "yo"}\r\n]\r\n';
    expectTurns(parseConversation(text), "openai-json", [user("hi"), assistant("yo")]);
  });

  it("maps role aliases, in any case", () => {
    const text = JSON.stringify([
      { role: "developer", content: "d" },
      { role: "Human", content: "h" },
      { role: "AI", content: "a" },
    ]);
    expectTurns(parseConversation(text), "openai-json", [system("d"), user("h"), assistant("a")]);
  });

  it("joins the text parts of a content array and skips other parts with a warning", () => {
    const text = JSON.stringify([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in " },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "text", text: "this picture? 🖼️" },
        ],
      },
      { role: "assistant", content: [{ type: "output_text", text: "A cat." }] },
    ]);
    const warnings = expectTurns(parseConversation(text), "openai-json", [user("What is in this picture? 🖼️"), assistant("A cat.")]);
    expect(warnings).toEqual(['Message 1 (line 1): skipped 1 non-text content part(s) ("image_url"); only text is classified.']);
  });

  it("skips tool messages and text-less tool calls with a warning, keeping the conversation", () => {
    const text = JSON.stringify(
      [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "1", type: "function", function: { name: "weather" } }] },
        { role: "tool", tool_call_id: "1", content: "18C" },
        { role: "assistant", content: "It is 18C." },
      ],
      null,
      2,
    );
    const warnings = expectTurns(parseConversation(text), "openai-json", [user("Weather in Paris?"), assistant("It is 18C.")]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Message 2 \(line 6\): skipped a tool call that has no text/);
    expect(warnings[1]).toMatch(/^Message 3 \(line 19\): skipped the "tool" message\. Llama Guard classifies only user and assistant turns/);
  });

  it("names the message, its line and the allowed roles for an unknown role", () => {
    const text = '{\n  "messages": [\n    {"role": "user", "content": "hi"},\n    {"role": "narrator", "content": "x"}\n  ]\n}';
    const message = expectError(parseConversation(text), "unknown_role", 4);
    expect(message).toBe(
      'Message 2 (line 4): unknown role "narrator". Use one of the roles "user", "assistant" or "system" (also accepted: human, ai, agent, bot, model, developer).',
    );
  });

  it("finds message lines in the last of repeated messages keys, as JSON.parse keeps the last", () => {
    const text = '{"messages": [1, 2, 3],\n "messages": [\n  {"role": "user", "content": "hi"},\n\n  {"role": "x", "content": "y"}]}';
    expectError(parseConversation(text), "unknown_role", 5);
  });

  it.each([
    ['[{"content": "hi"}]', 'Message 1 (line 1): the message has no "role" text. Add "role": "user", "assistant" or "system".'],
    ['[{"role": "user"}]', 'Message 1 (line 1): the user message has no "content". Add its text as "content": "...".'],
    ['[{"role": "user", "content": 42}]', 'Message 1 (line 1): "content" must be text or an array of parts like [{"type": "text", "text": "..."}], found the number 42.'],
    ['["hi"]', 'Message 1 (line 1): expected a message object like {"role": "user", "content": "..."}, found the text "hi".'],
    ['[{"role": "user", "content": ["hi"]}]', 'Message 1 (line 1), content part 1: expected a part like {"type": "text", "text": "..."}, found the text "hi".'],
    ['[{"role": "user", "content": [{"type": "text"}]}]', 'Message 1 (line 1), content part 1: the "text" part has no "text" string. Add "text": "...".'],
  ])("explains a malformed message: %s", (text, expected) => {
    expect(expectError(parseConversation(text), "invalid_message", 1)).toBe(expected);
  });

  it("rejects JSON that is not a list of messages", () => {
    const message = expectError(parseConversation('{\n  "conversation": []\n}'), "invalid_message", 1);
    expect(message).toContain('an object with a "messages" array');
  });

  it("keeps a message with no text once its image parts are skipped, and says what was skipped", () => {
    const text = '[\n{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}\n]';
    const warnings = expectTurns(parseConversation(text), "openai-json", [user("")]);
    expect(warnings.join(" ")).toMatch(/image/);
  });

  it("reports only-tool conversations as having no turns", () => {
    expectError(parseConversation('[{"role": "tool", "content": "x"}]'), "no_turns");
  });

  it.each([
    ["a trailing comma", '[\n  {"role": "user", "content": "hi"},\n]', 2, 36, "remove this trailing comma"],
    ["a missing comma", '[\n  {"role": "user", "content": "hi"}\n  {"role": "assistant", "content": "yo"}\n]', 3, 3, "expected ',' or ']' after an array element, found '{'"],
    ["single quotes", "[\n  {'role': 'user'}\n]", 2, 4, "found a single quote (JSON needs double quotes"],
    ["a Python literal", '[\n  {"role": "user", "content": None}\n]', 2, 31, 'found "None" (JSON\'s only bare words are true, false and null'],
    ["an unclosed string", '[\n  {"role": "user",\n   "content": "hi}\n]', 3, 19, "a string runs into a line break: close it with a double quote"],
    ["a string unclosed at the end", '[{"role": "user",\n "content": "hi', 2, 13, "this string has no closing double quote"],
    ["a raw line break in a string", '[{"role": "user", "content": "line one\nline two"}]', 1, 39, "or write the line break as \\n"],
    ["a raw tab in a string", '[{"role": "user", "content": "a\tb"}]', 1, 32, "write it as an escape"],
    ["a bad escape", '[{"role": "user", "content": "C:\\path"}]', 1, 33, "invalid escape"],
    ["a missing bracket", '[\n  {"role": "user", "content": "hi"}\n', 3, 1, "found the end of the text"],
    ["two arrays", '[{"role": "user", "content": "hi"}]\n[{"role": "user", "content": "hi"}]', 2, 1, "expected the end of the text after the JSON value"],
  ])("reports %s with its line and column", (_what, text, line, column, problem) => {
    const message = expectError(parseConversation(text), "invalid_json", line);
    expect(message).toContain(`Invalid JSON at line ${line}, column ${column}: `);
    expect(message).toContain(problem);
    expect(message).toMatch(/Correct it there and paste again\.$/);
  });

  it("counts columns in characters, so an emoji before the error is one column", () => {
    const message = expectError(parseConversation('[{"role": "user", "content": "👋👋"} x]'), "invalid_json", 1);
    expect(message).toContain("column 36");
  });
});

describe("jsonl", () => {
  const lines = ['{"role": "system", "content": "s"}', '{"role": "user", "content": "hi 👋"}', '{"role": "assistant", "content": " kept \\n exactly "}'];

  it("reads one message per line, skipping blank lines and accepting CRLF", () => {
    const turns = [system("s"), user("hi 👋"), assistant(" kept \n exactly ")];
    expectTurns(parseConversation(lines.join("\n")), "jsonl", turns);
    expectTurns(parseConversation(`\n${lines.join("\r\n\r\n")}\r\n`), "jsonl", turns);
  });

  it("names the line and column of a broken line", () => {
    const text = [lines[0], lines[1], '{"role": "assistant" "content": "x"}'].join("\n");
    const message = expectError(parseConversation(text), "invalid_json", 3);
    expect(message).toBe(
      'Invalid JSON at line 3, column 22: expected \',\' or \'}\' after a property value, found \'"\'. Each line must hold one message like {"role": "user", "content": "..."}.',
    );
  });

  it("names the line of an unknown role", () => {
    const text = `${lines[1]}\n\n{"role": "critic", "content": "x"}`;
    expect(expectError(parseConversation(text), "unknown_role", 3)).toMatch(/^Line 3: unknown role "critic"\. Use one of the roles/);
  });

  it("explains that a dataset record (a whole conversation per line) is not one conversation", () => {
    const text = readFileSync("test/fixtures/sample-chats/sample-chats.jsonl", "utf8");
    expect(expectError(parseConversation(text), "invalid_message", 1)).toContain('Line 1 holds a whole conversation ("messages")');
  });
});

describe("chatml", () => {
  it("reads blocks with multi-line content kept exactly", () => {
    const text = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nline 1\n\n  line 2 \n<|im_end|>\n<|im_start|>assistant\nok 👍<|im_end|>\n";
    expectTurns(parseConversation(text), "chatml", [system("Be brief."), user("line 1\n\n  line 2 \n"), assistant("ok 👍")]);
  });

  it("ignores the trailing generation prompt, with or without its line break", () => {
    for (const prompt of ["<|im_start|>assistant\n", "<|im_start|>assistant", "<|im_start|>assistant\n\n  "]) {
      expectTurns(parseConversation(`<|im_start|>user\nhi<|im_end|>\n${prompt}`), "chatml", [user("hi")]);
    }
  });

  it("handles CRLF", () => {
    const text = "<|im_start|>user\r\nhi\r\nthere<|im_end|>\r\n<|im_start|>assistant\r\nyo<|im_end|>\r\n";
    expectTurns(parseConversation(text), "chatml", [user("hi\nthere"), assistant("yo")]);
  });

  it("reports an unterminated block with its line", () => {
    const last = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello";
    expect(expectError(parseConversation(last), "unterminated_block", 3)).toBe(
      "Line 3: the <|im_start|>assistant block has no <|im_end|>. Add <|im_end|> after its text.",
    );
    const middle = "<|im_start|>user\nhi\n\n<|im_start|>assistant\nhello<|im_end|>";
    expectError(parseConversation(middle), "unterminated_block", 1);
  });

  it("reports a role without its line break", () => {
    const message = expectError(parseConversation("<|im_start|>user hi<|im_end|>"), "unterminated_block", 1);
    expect(message).toContain("must end with a line break");
  });

  it("reports stray text between blocks with its line", () => {
    const text = "<|im_start|>user\nhi<|im_end|>\nsome note\n<|im_start|>assistant\nyo<|im_end|>";
    expect(expectError(parseConversation(text), "stray_text", 3)).toBe(
      'Line 3: text outside a <|im_start|>…<|im_end|> block ("some note"). Put every turn in a block, or remove the text.',
    );
  });

  it("reports an unknown role with its line, and skips tool blocks with a warning", () => {
    expectError(parseConversation("<|im_start|>user\nhi<|im_end|>\n<|im_start|>critic\nx<|im_end|>"), "unknown_role", 3);
    const warnings = expectTurns(
      parseConversation("<|im_start|>user\nhi<|im_end|>\n<|im_start|>tool\n{}<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>"),
      "chatml",
      [user("hi"), assistant("yo")],
    );
    expect(warnings[0]).toMatch(/^Line 3: skipped the "tool" message/);
  });

  it("keeps an empty block", () => {
    expectTurns(parseConversation("<|im_start|>user\n<|im_end|><|im_start|>assistant\nx<|im_end|>"), "chatml", [user(""), assistant("x")]);
  });
});

describe("llama3", () => {
  const header = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;

  it("reads a rendered prompt and ignores the trailing assistant header", () => {
    const text = `<|begin_of_text|>${header("system")}Be brief.<|eot_id|>${header("user")}Hi 👋\nthere<|eot_id|>${header("assistant")}`;
    expectTurns(parseConversation(text), "llama3", [system("Be brief."), user("Hi 👋\nthere")]);
  });

  it("reads a full exchange, trimming content as the Llama 3 template does", () => {
    const text = `<|begin_of_text|>${header("user")}  hi  <|eot_id|>\n${header("assistant")}hello\n<|eot_id|><|end_of_text|>`;
    expectTurns(parseConversation(text), "llama3", [user("hi"), assistant("hello")]);
  });

  it("handles CRLF", () => {
    const text = "<|start_header_id|>user<|end_header_id|>\r\n\r\na\r\nb<|eot_id|>";
    expectTurns(parseConversation(text), "llama3", [user("a\nb")]);
  });

  it("skips ipython (tool) turns with a warning", () => {
    const text = `${header("user")}q<|eot_id|>${header("ipython")}{"r": 1}<|eot_id|>${header("assistant")}a<|eot_id|>`;
    const warnings = expectTurns(parseConversation(text), "llama3", [user("q"), assistant("a")]);
    expect(warnings).toHaveLength(1);
  });

  it("reports an unterminated turn and a header without <|end_header_id|>", () => {
    const unterminated = `<|begin_of_text|>${header("user")}hi\n${header("assistant")}yo<|eot_id|>`;
    expectError(parseConversation(unterminated), "unterminated_block", 1);
    const noHeaderEnd = "<|start_header_id|>user\n\nhi<|eot_id|>";
    expect(expectError(parseConversation(noHeaderEnd), "unterminated_block", 1)).toContain("must end with <|end_header_id|>");
  });

  it("reports an unknown role with its line", () => {
    const text = `${header("user")}hi<|eot_id|>\n${header("narrator")}x<|eot_id|>`;
    expectError(parseConversation(text), "unknown_role", 4);
  });
});

describe("empty and hostile input", () => {
  it.each(["", "   ", "\n\r\n\t\n"])("asks for a conversation when the input is empty (%j)", (text) => {
    expect(expectError(parseConversation(text), "empty_input")).toMatch(/^Nothing to read: paste a conversation/);
  });

  it("never throws, whatever it is given", () => {
    const pieces = ["User:", "Assistant:", "<|im_start|>", "<|im_end|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
      "{", "}", "[", "]", '"', "\\", ",", ":", "\n", "\r\n", "role", "content", "user", "tool", "👋", "\u0000", "\ud800", " ", "x", "messages", "null"];
    let seed = 42;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const inputs: unknown[] = [null, undefined, 42, {}, "[".repeat(100_000), "{".repeat(100_000), `[${'{"a":'.repeat(50_000)}`];
    for (let i = 0; i < 2000; i++) {
      inputs.push(Array.from({ length: 1 + random(30) }, () => pieces[random(pieces.length)]).join(""));
    }
    for (const input of inputs) {
      for (const format of [undefined, ...CHAT_FORMATS]) {
        const result = parseConversation(input as string, { format });
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.error.code, JSON.stringify(input)).not.toBe("internal_error");
      }
    }
  });
});

describe("JSON scanner", () => {
  const valid = [
    '{"messages": [{"role": "user", "content": "a\\n\\"b\\" \\u00e9"}], "n": -1.5e+3, "t": true, "f": false, "z": null}',
    '[1, 2.0, -0, 0.5e-7, [], {}, [[]], {"": {"k": []}}]',
    ' "just a string" ',
  ];

  it("agrees with JSON.parse on what is valid, for valid JSON and random corruptions of it", () => {
    let seed = 7;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const junk = ['"', "'", ",", ":", "[", "]", "{", "}", "\\", "\n", "x", "1", "-", ".", "e", " ", "\t", "u"];
    const samples = [...valid];
    for (let i = 0; i < 3000; i++) {
      const base = valid[random(valid.length)] ?? "";
      const at = random(base.length);
      samples.push(random(2) === 0 ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + junk[random(junk.length)] + base.slice(at));
    }
    for (const sample of samples) {
      let parses = true;
      try {
        JSON.parse(sample);
      } catch {
        parses = false;
      }
      expect(scanJson(sample, 0).ok, sample).toBe(parses);
    }
  });

  it("finds the error where V8 says it is, when V8 says", () => {
    // Not bad escapes: V8 points at the character after the backslash, the scanner at the backslash.
    for (const text of ["[1,2", '{"a" 1}', "[1] x", "[1 2]", '{"a": 1,,}', "[1, 2]]"]) {
      let position: number | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        position = Number(/position (\d+)/.exec((error as Error).message)?.[1]);
      }
      const scan = scanJson(text, 0);
      expect(scan.ok ? undefined : scan.offset, text).toBe(position);
    }
  });

  it("lists where values start, down to the depth asked for", () => {
    const scan = scanJson('{"messages": [\n  {"a": 1},\n  2\n]}', 2);
    expect(scan.ok && scan.valueStarts).toEqual([
      { path: [], offset: 0 },
      { path: ["messages"], offset: 13 },
      { path: ["messages", 0], offset: 17 },
      { path: ["messages", 1], offset: 29 },
    ]);
  });
});

describe("sample chats round trip", () => {
  const fixtures = "test/fixtures/sample-chats";
  const records = readFileSync(`${fixtures}/sample-chats.jsonl`, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { id: string; messages: Turn[] });

  /** The paste files hold each conversation after a "=== sc-NN ===" line. */
  function splitPasteFile(file: string): Map<string, string> {
    const chunks = new Map<string, string>();
    const parts = readFileSync(`${fixtures}/${file}`, "utf8").split(/^=== (\S+) ===$/m);
    for (let i = 1; i < parts.length; i += 2) chunks.set(parts[i] ?? "", parts[i + 1] ?? "");
    return chunks;
  }

  it("has the 20 conversations of the README", () => {
    expect(records).toHaveLength(20);
  });

  describe.each<[string, ChatFormat]>([
    ["sample-chats.transcript.txt", "transcript"],
    ["sample-chats.openai-messages.txt", "openai-json"],
    ["sample-chats.chatml.txt", "chatml"],
  ])("%s", (file, format) => {
    const chunks = splitPasteFile(file);

    it("holds every conversation of the JSONL", () => {
      expect([...chunks.keys()]).toEqual(records.map((record) => record.id));
    });

    it.each(records.map((record) => [record.id, record] as const))(`parses %s as ${format} with the JSONL's turns`, (id, record) => {
      const warnings = expectTurns(parseConversation(chunks.get(id) ?? ""), format, record.messages);
      expect(warnings).toEqual([]);
    });
  });
});

describe("what a paste that is not a conversation actually is", () => {
  it.each([
    ["[1, 2, 3]", "Message 1 (line 1): expected a message object like {\"role\": \"user\", \"content\": \"...\"}, found the number 1."],
    ["null", 'Line 1: expected a JSON array of messages like [{"role": "user", "content": "..."}], or an object with a "messages" array, but found null.'],
    ['"hello there"', 'Line 1: expected a JSON array of messages like [{"role": "user", "content": "..."}], or an object with a "messages" array, but found the text "hello there".'],
    ["42", 'Line 1: expected a JSON array of messages like [{"role": "user", "content": "..."}], or an object with a "messages" array, but found the number 42.'],
    ['{\n  "model": "x"\n}', 'Line 1: expected a JSON array of messages like [{"role": "user", "content": "..."}], or an object with a "messages" array, but found an object without "messages".'],
    ['{"messages": "hi"}', 'Line 1: expected a JSON array of messages like [{"role": "user", "content": "..."}], or an object with a "messages" array, but found "messages" holding the text "hi".'],
  ])("names the JSON value %s", (text, message) => {
    expect(expectError(parseConversation(text), "invalid_message", 1)).toBe(message);
  });

  it("reads Markdown links and Llama 2 [INST] text as plain text (one user turn), not JSON", () => {
    for (const text of ["[a link](https://example.com)", "[INST] hi [/INST]"]) {
      const parsed = parseConversation(text);
      expect(parsed).toMatchObject({ ok: true, format: "plain", conversation: { turns: [{ role: "user", content: text }] } });
    }
  });

  it("names an unknown speaker label and lists the known ones", () => {
    const message = expectError(parseConversation("Moderator: hello\nUser: hi"), "unknown_role", 1);
    expect(message).toBe(
      'Line 1: "Moderator:" is not a speaker label Guardbench knows. Start each turn with one of "User:", "Human:", "Assistant:", "AI:", "Agent:", "Bot:", "Model:", "Developer:", "System:" (any case), or paste JSON, JSONL, ChatML or Llama 3 text.',
    );
    // With no known label anywhere the text is one message, and the unknown label is named in a warning.
    const alone = parseConversation("**Customer**: where is my order");
    expect(alone).toMatchObject({ ok: true, format: "plain", conversation: { turns: [{ role: "user" }] } });
    if (alone.ok) expect(alone.warnings).toEqual([expect.stringMatching(/^Line 1 starts with "Customer:", which is not a speaker label Guardbench knows, so the whole text is read as one user turn/)]);
    // Text that is not shaped like a label is a bare message, without a warning.
    expect(parseConversation("just some words")).toMatchObject({ ok: true, format: "plain", warnings: [] });
  });

  it("says UTF-16 text is UTF-16, whether or not its byte-order mark survived", () => {
    const asUtf16 = (text: string) => [...text].map((c) => `${c}\u0000`).join("");
    for (const text of [asUtf16("User: hi\nAssistant: hello"), `\ufffd\ufffd${asUtf16("User: hi")}`]) {
      expect(expectError(parseConversation(text), "wrong_encoding")).toMatch(/^This text looks like UTF-16 .* Save it as UTF-8/);
    }
  });

  it("warns when an empty last assistant turn is left out, since the turn before it becomes the one classified", () => {
    const pastes: Array<[string, ChatFormat]> = [
      ["User: hi\n\nAssistant:\n", "transcript"],
      ['[{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]', "openai-json"],
      ["<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", "chatml"],
    ];
    for (const [text, format] of pastes) {
      const warnings = expectTurns(parseConversation(text), format, [user("hi")]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/the last assistant turn is empty, so it is left out: the user turn before it is classified as a prompt, not a reply\. To classify a reply, write its text\.$/);
    }
    expect(expectTurns(parseConversation("User: hi\nAssistant: hello"), "transcript", [user("hi"), assistant("hello")])).toEqual([]);
  });

  it("reads a megabyte of blanks before a label without backtracking", () => {
    const blanks = " \t".repeat(500_000);
    expect(parseConversation(`${blanks}x`)).toMatchObject({ ok: true, format: "plain", warnings: [] });
    expectTurns(parseConversation(`User${blanks}: hi`), "transcript", [user("hi")]);
  });
});
