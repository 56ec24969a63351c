/**
 * Python's `str.strip()` with no argument, which the official templates apply to every message
 * (`content.strip()` in LG1/LG2/LG3-8B and Llama 2 chat; jinja's `| trim` in LG3-1B, which Jinja2
 * implements as `str.strip()` too).
 *
 * It is NOT JavaScript's `String.prototype.trim()`: Python also strips U+001C–U+001F and U+0085,
 * and does not strip U+FEFF (BOM / zero-width no-break space), which JS does. @huggingface/jinja
 * renders `.strip()` and `| trim` with JS `trim()`, so it differs from transformers on exactly these
 * characters at the edges of a message; transformers is the reference.
 *
 * The set is Python 3's `str.isspace()` (Unicode White_Space plus bidi classes B/S/WS), checked
 * against CPython 3.11 over all code points. Every member is in the BMP, so scanning UTF-16 code
 * units is exact.
 */
export const PYTHON_WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isPythonWhitespace(codeUnit: number): boolean {
  return PYTHON_WHITESPACE.has(codeUnit);
}

export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}
