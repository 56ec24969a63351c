// Chat text rendered with special tokens: ChatML and Llama 3. Both are a run of blocks "open, role, end of role,
// content, close", so one reader serves both, configured by each format's tokens.
import { decideRole, failure, isBlank, offsetLocator, shorten, type FormatParse, type LocatedTurn } from "./parse-support.ts";

interface TokenSyntax {
  open: string;
  /** What ends the role name. */
  roleEnd: string;
  close: string;
  /** Whether the template trims content (Llama 3's does, `message['content'] | trim`), making a trim its exact inverse. */
  trimContent: boolean;
  /** Tokens a rendered prompt may carry between blocks (begin / end of text); they carry nothing. */
  ignorable: string[];
}

/** `<|im_start|>user\ncontent<|im_end|>` */
export const CHATML: TokenSyntax = {
  open: "<|im_start|>",
  roleEnd: "\n",
  close: "<|im_end|>",
  trimContent: false,
  ignorable: ["<|endoftext|>"],
};

/** `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\ncontent<|eot_id|>` */
export const LLAMA3: TokenSyntax = {
  open: "<|start_header_id|>",
  roleEnd: "<|end_header_id|>",
  close: "<|eot_id|>",
  trimContent: true,
  ignorable: ["<|begin_of_text|>", "<|end_of_text|>"],
};

/**
 * Reads the blocks of `text`. CRLF line breaks become \n, since the tokens' own line breaks are \n. A last block left
 * open with nothing after its role is the template's generation prompt ("<|im_start|>assistant\n"); it becomes an
 * empty turn, which finishTurns drops.
 */
export function parseTokenBlocks(text: string, syntax: TokenSyntax): FormatParse {
  const normalised = text.replace(/\r\n/g, "\n");
  const locate = offsetLocator(normalised);
  const turns: LocatedTurn[] = [];
  const warnings: string[] = [];

  let pos = skipFiller(normalised, 0, syntax);
  while (pos < normalised.length) {
    const { line } = locate(pos);
    if (!normalised.startsWith(syntax.open, pos)) {
      return failure(
        "stray_text",
        `Line ${line}: text outside a ${syntax.open}…${syntax.close} block ("${shorten(normalised.slice(pos, lineEnd(normalised, pos)))}"). Put every turn in a block, or remove the text.`,
        line,
      );
    }
    const roleStart = pos + syntax.open.length;
    const nextOpen = normalised.indexOf(syntax.open, roleStart);
    const blockLimit = nextOpen === -1 ? normalised.length : nextOpen;
    const closeAt = normalised.indexOf(syntax.close, roleStart);
    const closed = closeAt !== -1 && closeAt < blockLimit;
    const blockEnd = closed ? closeAt : blockLimit;
    const isLastAndOpen = !closed && nextOpen === -1;

    const roleEndAt = normalised.indexOf(syntax.roleEnd, roleStart);
    const roleEnded = roleEndAt !== -1 && roleEndAt <= blockEnd;
    if (!roleEnded && !isLastAndOpen) {
      return failure(
        "unterminated_block",
        `Line ${line}: the role after ${syntax.open} must end with ${describeToken(syntax.roleEnd)}. Write the role, then ${describeToken(syntax.roleEnd)}, then the text.`,
        line,
      );
    }
    const roleName = normalised.slice(roleStart, roleEnded ? roleEndAt : blockEnd);
    const rawContent = roleEnded ? normalised.slice(roleEndAt + syntax.roleEnd.length, blockEnd) : "";
    if (!closed && !(isLastAndOpen && isBlank(rawContent))) {
      return failure(
        "unterminated_block",
        `Line ${line}: the ${syntax.open}${roleName.trim()} block has no ${syntax.close}. Add ${syntax.close} after its text.`,
        line,
      );
    }

    const place = `Line ${line}`;
    const role = decideRole(roleName, place, line);
    if (role.kind === "error") return { ok: false, error: role.error };
    if (role.kind === "skip") warnings.push(role.warning);
    else turns.push({ role: role.role, content: syntax.trimContent ? rawContent.trim() : rawContent, line, place });

    pos = skipFiller(normalised, closed ? closeAt + syntax.close.length : blockEnd, syntax);
  }
  return { ok: true, turns, warnings };
}

/** Skips whitespace and ignorable tokens between blocks. */
function skipFiller(text: string, from: number, syntax: TokenSyntax): number {
  let pos = from;
  for (;;) {
    while (pos < text.length && /\s/.test(text.charAt(pos))) pos++;
    const token = syntax.ignorable.find((candidate) => text.startsWith(candidate, pos));
    if (!token) return pos;
    pos += token.length;
  }
}

function describeToken(token: string): string {
  return token === "\n" ? "a line break" : token;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end === -1 ? text.length : end;
}
