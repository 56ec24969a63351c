/**
 * The stylesheet is one level of rules inside at-rules only. A rule left unclosed (a merge once dropped the `}` of
 * `.history-model .mono`) turns every later rule into a nested one that matches nothing, silently unstyling the rest of
 * the app; this names the rule and its line instead.
 */
import { describe, expect, it } from "vitest";
// The file as written, not as the bundler would transform it.
import css from "../../../../renderer/src/styles.css?raw";

/** Each block's opening text and line, with the rules found inside another rule (not inside an at-rule). */
function nestingProblems(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "));
  const open: { selector: string; line: number }[] = [];
  const problems: string[] = [];
  let start = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") line++;
    if (ch === "{") {
      const selector = text.slice(start, i).split(/[;}]/).at(-1)!.trim();
      const parent = open.at(-1);
      if (parent && !parent.selector.startsWith("@")) problems.push(`"${selector}" (line ${line}) is inside "${parent.selector}" (line ${parent.line}), which is not closed before it`);
      open.push({ selector, line });
      start = i + 1;
    } else if (ch === "}") {
      if (!open.pop()) problems.push(`a "}" at line ${line} closes nothing`);
      start = i + 1;
    }
  }
  for (const block of open) problems.push(`"${block.selector}" (line ${block.line}) is never closed`);
  return problems;
}

describe("renderer/src/styles.css", () => {
  it("closes every rule before the next one opens", () => {
    expect(nestingProblems(css)).toEqual([]);
  });

  it("names an unclosed rule and the first rule it swallows", () => {
    expect(nestingProblems(".a {\n  color: red;\n\n.b {\n  color: blue;\n}\n")).toEqual(['".b" (line 4) is inside ".a" (line 1), which is not closed before it', '".a" (line 1) is never closed']);
    expect(nestingProblems("@media (max-width: 980px) {\n  .a { color: red; }\n}\n")).toEqual([]);
  });
});
