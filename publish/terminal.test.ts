import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../core/report.ts';
import { aFinding, aReconciledReport, aReport } from '../test/findings.ts';
import { colorEnabled, outputWidth, toTerminal, truncateLine, visibleWidth, wrap } from './terminal.ts';

/** Retitles the terminal, clears the screen, recolours, and flips the rest of the line right-to-left. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b1m\u202eevil\n';

function hostileReport(): ScanReport {
  const report = aReconciledReport([
    aFinding({
      checkId: 'EKS.AUTH.1',
      cluster: `c${HOSTILE}`,
      severity: 'critical',
      message: `aws-auth maps arn:aws:iam::111111111111:role/${HOSTILE} into system:masters`,
    }),
  ]);
  return {
    ...report,
    errors: [
      {
        provider: 'aws',
        accountId: '111111111111',
        region: `us-east-1${HOSTILE}`,
        stage: 'list-clusters',
        code: 'Unknown',
        message: `server said ${HOSTILE}`,
      },
    ],
  };
}

/** Our own colour codes (SGR `ESC [ n m`) are the only escape sequences allowed in the output. */
const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, 'g');
/** What HOSTILE holds raw (ESC, BEL, C1 CSI, RLO, and a newline inside a table cell). */
const RAW = ['\x1b', '\x07', '\x9b', '\u202e', 'evil\n'];
const rawIn = (s: string) => RAW.filter((c) => s.includes(c));

describe('terminal output of hostile cloud data', () => {
  it('prints no raw control or bidi character with colour off, and shows them as escapes', () => {
    const out = toTerminal(hostileReport(), { color: false });
    expect(rawIn(out)).toEqual([]);
    expect(out).toContain(
      'role/\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mred\\u009b1m\\u202eevil\\n into system:masters',
    );
    expect(out).toContain('server said \\u001b]0;pwned');
  });

  it('keeps its own colours with colour on, and nothing else that drives the terminal', () => {
    const out = toTerminal(hostileReport(), { color: true });
    expect(out.match(SGR)?.length).toBeGreaterThan(10);
    expect(rawIn(out.replace(SGR, ''))).toEqual([]);
    expect(out).toContain('\\u001b]0;pwned');
  });
});

describe('colour: --no-color, FORCE_COLOR, NO_COLOR, TERM and the terminal', () => {
  it.each([
    [{}, true, undefined, true],
    [{}, false, undefined, false],
    [{}, true, false, false], // --no-color
    [{ FORCE_COLOR: '0' }, true, undefined, false],
    [{ FORCE_COLOR: 'false' }, true, undefined, false],
    [{ FORCE_COLOR: '1' }, false, undefined, true],
    [{ FORCE_COLOR: '3' }, false, undefined, true],
    [{ FORCE_COLOR: '1' }, true, false, false], // the flag wins
    [{ FORCE_COLOR: '' }, false, undefined, false], // empty: not set
    [{ NO_COLOR: '1' }, true, undefined, false],
    [{ NO_COLOR: '' }, true, undefined, true], // empty: not set (no-color.org)
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, false, undefined, true], // forcing wins, as in Node
    [{ TERM: 'dumb' }, true, undefined, false],
  ] as const)('%o on a TTY=%s, flag %s: colour %s', (env, tty, flag, expected) => {
    expect(colorEnabled(env, tty, flag)).toBe(expected);
  });
});

describe('fitting the output to the terminal width', () => {
  it('uses the terminal width, else COLUMNS, else 120, never below 40', () => {
    expect(outputWidth({ isTTY: true, columns: 200 }, {})).toBe(200);
    expect(outputWidth({ isTTY: false, columns: 200 }, {})).toBe(120);
    expect(outputWidth({}, { COLUMNS: '90' })).toBe(90);
    expect(outputWidth({}, { COLUMNS: 'wide' })).toBe(120);
    expect(outputWidth({ isTTY: true, columns: 20 }, {})).toBe(40);
  });

  it('cuts a line with … at the width, keeping colour codes and resetting them', () => {
    expect(truncateLine('abcdefghij', 10)).toBe('abcdefghij');
    expect(truncateLine('abcdefghijk', 10)).toBe('abcdefghi…');
    const red = '\x1b[31mabcdefghijklmnop\x1b[39m';
    const cut = truncateLine(red, 8);
    expect(cut).toBe('\x1b[31mabcdefg…\x1b[0m');
    expect(visibleWidth(cut)).toBe(8);
  });

  it('wraps a long message on words, cutting a word longer than the line, in at most the lines given', () => {
    expect(wrap('one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
    expect(wrap(`arn:${'x'.repeat(20)}`, 10, 5)).toEqual(['arn:xxxxxx', 'xxxxxxxxxx', 'xxxx']);
    expect(wrap('a b c d e f g h', 3, 2)).toEqual(['a b', 'c…']);
  });

  it('fits every line of a report with long messages and errors, and says where the full text is', () => {
    const long = `aws-auth maps ${Array.from({ length: 12 }, (_, i) => `arn:aws:iam::111111111111:role/admin-${i}`).join(', ')} into system:masters`;
    const report = aReconciledReport([aFinding({ checkId: 'EKS.ACCESS.2', cluster: 'prod', message: long })]);
    report.errors = [
      {
        provider: 'azure',
        accountId: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        region: '*',
        stage: 'list-clusters',
        code: 'AccessDenied',
        message: `AuthorizationFailed: ${'the client does not have authorization '.repeat(6)}`,
      },
    ];
    for (const width of [80, 120]) {
      for (const color of [false, true]) {
        const out = toTerminal(report, { color, width });
        const widest = Math.max(...out.split('\n').map(visibleWidth));
        expect(widest).toBeLessThanOrEqual(width);
        expect(out).toContain(`Long lines end with … at ${width} columns`);
      }
    }
    const unlimited = toTerminal(report, { color: false });
    expect(unlimited).toContain(long);
    // The error message is wrapped under its target, not cut to nothing.
    expect(toTerminal(report, { color: false, width: 80 })).toMatch(/AuthorizationFailed: the client does not have/);
  });
});

describe('terminal header and plurals', () => {
  it('counts accounts per cloud and says 1 account, 1 target, 1 cluster', () => {
    const out = toTerminal(aReport([aFinding({})]), { color: false });
    expect(out).toContain('1 AWS account · 1 target (0 failed, 0 partial) · 1 cluster');
    expect(out).not.toMatch(/\b1 (accounts|targets|clusters)\b/);
  });

  it('never says "No failing findings." when every target failed', () => {
    const failed = aReport([], {
      targets: [{ provider: 'aws', accountId: '*', region: '*', status: 'failed', clusters: 0 }],
    });
    const out = toTerminal(failed, { color: false });
    expect(out).not.toContain('No failing findings');
    expect(out).toContain('Nothing was scanned: no target could be read');
    expect(toTerminal(aReport([aFinding({ status: 'PASS' })]), { color: false })).toContain('No failing findings.');
  });
});

describe('terminal delta of a bounded report', () => {
  it('says "… and N more" from the delta counts when the report holds a selection of the findings', () => {
    // 30 extra new findings, plus the fixture's one new and one regressed: 32 to alert on.
    const full = aReconciledReport(
      Array.from({ length: 30 }, (_, i) => aFinding({ checkId: 'EKS.ENDPOINT.1', cluster: `n${i}` })),
    );
    let kept = 0;
    // As finalize bounds report.json: only 12 of the 32 stay in `findings`; the delta keeps the whole counts.
    const bounded = { ...full, findings: full.findings.filter((f) => f.lifecycle?.state !== 'new' || kept++ < 11) };
    expect(toTerminal(full, { color: false })).toContain('… and 22 more');
    expect(toTerminal(bounded, { color: false })).toContain('… and 22 more');
  });
});
