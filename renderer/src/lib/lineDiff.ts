/**
 * A line diff of two prompts, so the inspector can mark what a policy changed versus the family's preset: lines the
 * policy added or rewrote (a renamed category, a custom one) are "added", preset lines it dropped (an excluded
 * category) come back as "removed", in place. Both prompts share the conversation at the end and most of the template
 * at the start, so the common ends are cut off before the quadratic LCS runs on what is left (the category block).
 */
export type LineMark = "same" | "added" | "removed";

export interface MarkedLine {
  text: string;
  mark: LineMark;
}

export function diffLines(before: string, after: string): MarkedLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (lines: string[]) => lines.map((text): MarkedLine => ({ text, mark: "same" }));
  return [...same(b.slice(0, start)), ...diffMiddle(a.slice(start, endA), b.slice(start, endB)), ...same(b.slice(endB))];
}

function diffMiddle(a: string[], b: string[]): MarkedLine[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines: MarkedLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ text: b[j]!, mark: "same" });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // On a tie the old line goes first, so a rewritten line reads "removed, then added".
      lines.push({ text: a[i]!, mark: "removed" });
      i++;
    } else {
      lines.push({ text: b[j]!, mark: "added" });
      j++;
    }
  }
  return lines;
}
