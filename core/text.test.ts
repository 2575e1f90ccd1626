import { describe, expect, it } from 'vitest';
import { escapeControl, escapeControlDeep } from './text.ts';

describe('escapeControl', () => {
  it.each([
    ['ESC and a CSI colour', 'a\x1b[31mred', 'a\\u001b[31mred'],
    ['an OSC title ended by BEL', '\x1b]0;pwned\x07x', '\\u001b]0;pwned\\u0007x'],
    [
      'an OSC 8 hyperlink ended by ST',
      '\x1b]8;;https://evil.test\x1b\\link',
      '\\u001b]8;;https://evil.test\\u001b\\link',
    ],
    ['a one-byte C1 CSI and DEL', 'a\x9b2Jb\x7f', 'a\\u009b2Jb\\u007f'],
    ['bidi overrides and isolates', 'role\u202egnp.exe\u2066x\u2069', 'role\\u202egnp.exe\\u2066x\\u2069'],
    ['zero-width and BOM', 'a\u200bb\ufeff', 'a\\u200bb\\ufeff'],
    ['newlines, tabs and NUL in a single-line field', 'a\nb\r\tc\0', 'a\\nb\\r\\tc\\u0000'],
  ])('shows %s as visible escapes', (_, input, shown) => {
    expect(escapeControl(input)).toBe(shown);
  });

  it('leaves ordinary text, accents and emoji alone, and returns the same string when nothing changes', () => {
    const s = 'arn:aws:iam::111111111111:role/café-☃-🚀 \\u001b';
    expect(escapeControl(s)).toBe(s);
  });

  it('keeps newlines and tabs in multi-line text, and still escapes ESC there', () => {
    expect(escapeControl('line 1\n\tline 2\x1b[2J\r', { multiline: true })).toBe('line 1\n\tline 2\\u001b[2J\\r');
  });

  it('escapes every string of a nested value, keys included, without touching other values', () => {
    const input = { a: ['x\x1b', 1, null, true], b: { 'k\x07': 'v\u202e' }, n: 3 };
    expect(escapeControlDeep(input)).toEqual({ a: ['x\\u001b', 1, null, true], b: { 'k\\u0007': 'v\\u202e' }, n: 3 });
    expect(input.a[0]).toBe('x\x1b'); // a copy: the report itself is unchanged
  });
});
