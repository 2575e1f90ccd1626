import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../core/report.ts';
import { aFinding, aReconciledReport } from '../test/findings.ts';
import { toTerminal } from './terminal.ts';

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
