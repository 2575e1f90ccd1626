import type { SendEmailCommand, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { PublishCommand, PublishCommandInput } from '@aws-sdk/client-sns';
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { finalizeStream } from '../../core/finalize.ts';
import type { Finding } from '../../core/finding.ts';
import { type FindingState, reconcile } from '../../core/lifecycle.ts';
import type { ScanReport } from '../../core/report.ts';
import type { Severity } from '../../core/severity.ts';
import type { FindingStateStore } from '../../core/state.ts';
import { parseSuppressions } from '../../core/suppressions.ts';
import { ACCOUNT, aFinding, aReport, REGION } from '../../test/findings.ts';
import { createSesNotifier, createSnsNotifier } from '../sinks/email.ts';
import { createSlackNotifier } from '../sinks/slack.ts';
import { SLACK_LIMITS, toEmailDigest, toSlackDigest } from './digest.ts';

/**
 * The digests' "…and N more" through the streamed finalize, as the serverless path runs it: the report holds at most
 * `maxFindings` findings, and the count must still be the whole scan's (the delta's), not the selection's length.
 */

const now = new Date('2026-06-01T12:00:00Z');
const fail = (prefix: string, i: number, severity: Severity) =>
  aFinding({ checkId: 'EKS.ENDPOINT.1', cluster: `${prefix}${String(i).padStart(4, '0')}`, severity });
const bySeverity = (prefix: string, counts: Partial<Record<Severity, number>>) => {
  let i = 0;
  return Object.entries(counts).flatMap(([s, n]) => Array.from({ length: n }, () => fail(prefix, i++, s as Severity)));
};
const suppressions = parseSuppressions({
  suppressions: [
    { check: 'EKS.ENDPOINT.1', resource: '*:cluster/muted*', reason: 'lab', owner: 'platform', expires: '2099-01-01' },
  ],
});

/** A state store that holds `findings` and keeps nothing (the counts are what is tested, not the store). */
function heldState(findings: FindingState[]): FindingStateStore {
  return { load: async () => ({ findings, lastScan: undefined }), commit: async () => {}, scans: async () => [] };
}

/**
 * Finalizes a scan with `fresh` new, `back` regressed (failed, then passed, now fail again), 50 persisting critical
 * and 10 suppressed critical FAILs, through the real Slack, SES and SNS notifiers; returns what each sent.
 */
async function finalizeWith(fresh: Finding[], back: Finding[], maxFindings: number) {
  const persisting = bySeverity('old', { critical: 50 });
  let state: FindingState[] = [];
  for (const [i, findings] of [
    [...back, ...persisting],
    [...back.map((f) => ({ ...f, status: 'PASS' as const })), ...persisting],
  ].entries()) {
    const at = `2026-05-3${i}T08:00:00.000Z`;
    state = reconcile(state, aReport(findings, { at }), { now }).nextState;
  }
  const findings = [...fresh, ...back, ...persisting, ...bySeverity('muted', { critical: 10 })];
  const slack: { text: string; blocks: KnownBlock[] }[] = [];
  const ses: SendEmailCommandInput[] = [];
  const sns: PublishCommandInput[] = [];
  const result = await finalizeStream(
    {
      scan: {
        id: 'scan-3',
        startedAt: '2026-06-01T08:00:00.000Z',
        finishedAt: '2026-06-01T08:05:00.000Z',
        trigger: 't',
      },
      parts: (async function* () {
        yield {
          targets: [{ provider: 'aws', accountId: ACCOUNT, region: REGION, status: 'scanned', clusters: 4000 }],
          errors: [],
          findings,
        };
      })(),
    },
    {
      state: heldState(state),
      suppressions,
      now,
      maxFindings,
      notifiers: [
        createSlackNotifier({
          webhook: { env: 'HOOK', vars: { HOOK: 'https://hooks.slack.com/services/T0/B0/secret' } },
          minSeverity: 'high',
          // No network: the payload is what is tested.
          fetch: (async (_url: string, init: RequestInit) => {
            slack.push(JSON.parse(String(init.body)));
            return new Response('ok');
          }) as typeof fetch,
        }),
        createSesNotifier({
          client: { send: async (c: unknown) => void ses.push((c as SendEmailCommand).input) } as never,
          from: 'kubeposture@example.test',
          to: ['security@example.test'],
          minSeverity: 'high',
        }),
        createSnsNotifier({
          client: { send: async (c: unknown) => void sns.push((c as PublishCommand).input) } as never,
          topicArn: 'arn:aws:sns:us-east-1:999999999999:kubeposture-alerts',
          minSeverity: 'medium',
        }),
      ],
    },
  );
  expect(result.failures).toEqual([]);
  const moreOf = (text: string) => text.split('\n').find((l) => /^(…|\.\.\.)and /.test(l));
  const slackLines = slack[0]!.blocks.flatMap((b) =>
    b.type === 'context' ? b.elements.map((e) => ('text' in e && typeof e.text === 'string' ? e.text : '')) : [],
  );
  return {
    report: result.report,
    slack: slack[0]!,
    slackMore: slackLines.find((t) => t.startsWith('…and ')),
    slackListed: slack[0]!.blocks.filter((b) => b.type === 'section' && /\* (NEW|REGRESSED) · /.test(JSON.stringify(b)))
      .length,
    emailMore: moreOf(ses[0]!.Content!.Simple!.Body!.Text!.Data!),
    emailHtml: ses[0]!.Content!.Simple!.Body!.Html!.Data!,
    snsMore: moreOf(sns[0]!.Message!),
  };
}

describe('digest "and N more" counts the whole scan, not the bounded report', () => {
  it('2,500 new and 300 regressed with a 2,000-finding report: Slack, SES and SNS say the true remainder', async () => {
    // At or above high: 500 critical + 2,100 high = 2,600; medium adds 200 (2,800 alertable in all).
    const fresh = bySeverity('new', { critical: 400, high: 1900, medium: 200 });
    const back = bySeverity('back', { critical: 100, high: 200 });
    const r = await finalizeWith(fresh, back, 2000);
    expect(r.report.delta!.counts).toMatchObject({ new: 2500, regressed: 300, persisting: 50, suppressed: 10 });
    expect(r.report.findings).toHaveLength(2000);
    // Every result is a FAIL: 2,500 + 300 + 50 persisting + 10 suppressed, of which 2,000 are kept.
    expect(r.report.truncated?.findingsOmitted).toBe(2860 - 2000);
    expect(r.report.delta!.alertsBySeverity).toMatchObject({
      critical: { new: 400, regressed: 100 },
      high: { new: 1900, regressed: 200 },
      medium: { new: 200, regressed: 0 },
    });
    // Slack lists 20 (all critical, worst first): 2,600 − 20 remain, 480 of them critical.
    expect(r.slackListed).toBe(20);
    expect(r.slackMore).toBe('…and 2580 more (480 critical, 2100 high)');
    expect(r.slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(r.slack.text).toContain('2800 new or regressed findings (2500 new · 300 regressed');
    // SES lists 50 at or above high; SNS 50 at or above medium.
    expect(r.emailMore).toBe('...and 2550 more (450 critical, 2100 high)');
    expect(r.emailHtml).toContain('<p>…and 2550 more (450 critical, 2100 high)</p>');
    expect(r.snsMore).toBe('...and 2750 more (450 critical, 2100 high, 200 medium)');
  });

  it('below the cap: the same numbers as the listed findings, and no line when everything is listed', async () => {
    const r = await finalizeWith(bySeverity('new', { high: 30, low: 5 }), bySeverity('back', { critical: 5 }), 2000);
    expect(r.report.truncated).toBeUndefined();
    expect(r.slackMore).toBe('…and 15 more (15 high)');
    expect(r.emailMore).toBeUndefined();
    expect(r.snsMore).toBeUndefined();
  });

  it('counts from the findings when the delta has no per-severity split (a report written before it)', () => {
    const findings = bySeverity('n', { high: 25 }).map((f) => ({
      ...f,
      lifecycle: { state: 'new' as const, firstSeen: 'x', lastSeen: 'x' },
    }));
    const report: ScanReport = { ...aReport(findings), delta: undefined };
    expect(toSlackDigest(report, { minSeverity: 'high' }).blocks.at(-1)).toMatchObject({
      elements: [{ text: '…and 5 more (5 high)' }],
    });
    expect(toEmailDigest(report, { minSeverity: 'high', maxFindings: 10 }).text).toContain(
      '...and 15 more (15 high)\n',
    );
  });
});
