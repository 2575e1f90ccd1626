/**
 * Characters that must never reach a terminal, a chat message or an email from cloud data: C0 controls (ESC starts
 * CSI/OSC sequences that recolour, retitle, hyperlink or rewrite the screen; BEL ends OSC), DEL, C1 controls (0x9B is
 * a one-byte CSI on some terminals), the bidi overrides and isolates that make text read differently than it is
 * (U+202A–U+202E, U+2066–U+2069, U+061C, U+200E/U+200F), zero-width and invisible format characters, and the Unicode
 * line and paragraph separators. Tab and newline are kept only in multi-line text.
 */
function isControl(code: number, keepLines: boolean): boolean {
  if (code <= 0x1f) return !(keepLines && (code === 0x0a || code === 0x09));
  return (
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff
  );
}

const NAMED: Record<number, string> = { 10: '\\n', 13: '\\r', 9: '\\t' };

function visible(code: number): string {
  return NAMED[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
}

export interface EscapeOptions {
  /** Keep newlines and tabs (text that is meant to span lines, like a multi-line error). Default: single line. */
  multiline?: boolean;
}

/**
 * Shows control and invisible characters as visible escapes (`\u001b`, `\n`, `\u202e`), so untrusted text (names,
 * ARNs, messages, evidence from a cloud API) prints as what it is and can neither drive the terminal nor disguise
 * itself. Backslashes are left alone: a literal `\u001b` in the data is harmless text.
 */
export function escapeControl(s: string, options: EscapeOptions = {}): string {
  const keepLines = options.multiline === true;
  let out = '';
  let from = 0;
  // Every character checked is in the BMP, so UTF-16 code units are enough (surrogates are never controls).
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (!isControl(code, keepLines)) continue;
    out += s.slice(from, i) + visible(code);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * `escapeControl` over every string of a JSON-like value (plain objects and arrays, copied), for formats that print
 * many fields of a report: escaping the whole input once cannot miss a field added later.
 */
export function escapeControlDeep<T>(value: T, options: EscapeOptions = {}): T {
  if (typeof value === 'string') return escapeControl(value, options) as T;
  if (Array.isArray(value)) return value.map((v) => escapeControlDeep(v, options)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeControl(k, options)] = escapeControlDeep(v, options);
    return out as T;
  }
  return value;
}
