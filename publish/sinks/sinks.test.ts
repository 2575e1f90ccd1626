import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { BatchImportFindingsCommand, type BatchImportFindingsCommandInput } from '@aws-sdk/client-securityhub';
import type { SendEmailCommand, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { PublishCommand, PublishCommandInput } from '@aws-sdk/client-sns';
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import type { ScanReport } from '../../core/report.ts';
import { aFinding, aReconciledReport } from '../../test/findings.ts';
import { SLACK_LIMITS, toEmailDigest, toSlackDigest } from '../formats/digest.ts';
import { createSesNotifier, createSnsNotifier } from './email.ts';
import { createSecurityHubSink, SecurityHubImportError } from './securityhub.ts';
import { createSlackNotifier, SlackError } from './slack.ts';

/** Many new findings, with long messages, to push the digest into Slack's limits. */
const flood = Array.from({ length: 120 }, (_, i) =>
  aFinding({ checkId: 'EKS.ENDPOINT.1', cluster: `c${String(i).padStart(3, '0')}`, message: `x`.repeat(4000) }),
);
const report = aReconciledReport();
const big = aReconciledReport(flood);

function textsOf(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) =>
    'text' in b && b.text && typeof b.text === 'object'
      ? [b.text.text]
      : 'elements' in b
        ? b.elements.map((e) => ('text' in e && typeof e.text === 'string' ? e.text : ''))
        : [],
  );
}

describe('Slack digest (Block Kit)', () => {
  it('lists new and regressed findings at or above the threshold, with counts and the report link', () => {
    const { text, blocks } = toSlackDigest(report, { minSeverity: 'medium', reportUrl: 'https://example.test/r.html' });
    const all = textsOf(blocks).join('\n');
    expect(text).toMatch(/2 new or regressed findings \(1 new · 1 regressed · 2 resolved/);
    expect(all).toContain('*CRITICAL* NEW · *EKS.ENDPOINT.1*');
    expect(all).toContain('*MEDIUM* REGRESSED · *EKS.ENDPOINT.2*');
    expect(all).toContain(':white_check_mark: 2 resolved');
    expect(all).toContain('Public endpoint &lt;open&gt;'); // cloud text cannot become a Slack link or mention
    expect(blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ url: 'https://example.test/r.html' }] });
    const high = toSlackDigest(report, { minSeverity: 'high' });
    expect(textsOf(high.blocks).join('\n')).not.toContain('EKS.ENDPOINT.2');
  });

  it('stays within 50 blocks and 3,000 characters per text, ending the list with "and N more"', () => {
    const { blocks } = toSlackDigest(big, {
      minSeverity: 'info',
      maxFindings: 500,
      reportUrl: 'https://example.test/r',
    });
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const t of textsOf(blocks)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const shown = blocks.filter((b) => b.type === 'section' && /NEW|REGRESSED/.test(textsOf([b])[0]!)).length;
    expect(textsOf(blocks).join('\n')).toContain(`…and ${122 - shown} more`);
  });
});

describe('Slack notifier (a webhook on 127.0.0.1)', () => {
  let server: Server;
  let url: string;
  const received: { body: string; path: string }[] = [];
  let respond: (res: ServerResponse) => void = (res) => res.end('ok');

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, path: req.url ?? '' });
        respond(res);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/SECRETTOKEN`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('reads the webhook URL from Secrets Manager and posts one digest', async () => {
    received.length = 0;
    const secretCalls: unknown[] = [];
    const secrets = {
      send: async (c: unknown) => {
        secretCalls.push((c as GetSecretValueCommand).input);
        expect(c).toBeInstanceOf(GetSecretValueCommand);
        return { SecretString: `${url}\n` };
      },
    };
    const slack = createSlackNotifier({
      webhook: { secretId: 'kubeposture/slack-test-1', client: secrets as never },
      minSeverity: 'low',
    });
    await slack.notify(report, { reportUrl: 'https://example.test/r.html' });
    await slack.notify(report, {});
    expect(secretCalls).toEqual([{ SecretId: 'kubeposture/slack-test-1' }]); // cached for the second scan
    expect(received).toHaveLength(2);
    expect(received[0]!.path).toBe('/services/T000/B000/SECRETTOKEN');
    expect(JSON.parse(received[0]!.body).blocks.length).toBeGreaterThan(3);
  });

  it('waits Retry-After once on 429, and reports other failures without the webhook URL', async () => {
    received.length = 0;
    let calls = 0;
    respond = (res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '2' }).end('rate_limited');
      } else res.writeHead(400).end('invalid_blocks');
    };
    const waits: number[] = [];
    const slack = createSlackNotifier({
      webhook: { env: 'SLACK_URL', vars: { SLACK_URL: url } },
      minSeverity: 'low',
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const error = await slack.notify(report, {}).catch((e: unknown) => e);
    expect(waits).toEqual([2000]);
    expect(error).toBeInstanceOf(SlackError);
    expect(String((error as Error).message)).toBe('Slack webhook answered 400: invalid_blocks');
    expect(JSON.stringify(error)).not.toContain('SECRETTOKEN');
    respond = (res) => res.end('ok');
  });

  it('names the missing variable, and never the URL, when it cannot connect', async () => {
    const missing = createSlackNotifier({ webhook: { env: 'NOPE', vars: {} }, minSeverity: 'low' });
    await expect(missing.notify(report, {})).rejects.toThrow('environment variable NOPE is empty');
    const closed = createSlackNotifier({
      webhook: { env: 'U', vars: { U: 'http://127.0.0.1:9/services/T/B/SECRETTOKEN' } },
      minSeverity: 'low',
    });
    const error = (await closed.notify(report, {}).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/Slack webhook request failed/);
    expect(`${error.message} ${String(error.cause ?? '')}`).not.toContain('SECRETTOKEN');
  });
});

describe('email digests', () => {
  it('sends HTML and text through SES v2', async () => {
    const sent: SendEmailCommandInput[] = [];
    const ses = createSesNotifier({
      client: { send: async (c: unknown) => void sent.push((c as SendEmailCommand).input) } as never,
      from: 'kubeposture@example.test',
      to: ['security@example.test'],
      minSeverity: 'medium',
    });
    await ses.notify(report, { reportUrl: 'https://example.test/r.html' });
    expect(sent).toHaveLength(1);
    const simple = sent[0]!.Content!.Simple!;
    expect(simple.Subject!.Data).toMatch(/^kubeposture: 2 new or regressed findings \(1 new, 1 regressed/);
    expect(simple.Body!.Text!.Data).toContain('[CRITICAL] NEW EKS.ENDPOINT.1');
    expect(simple.Body!.Html!.Data).toContain('Public endpoint &lt;open&gt; to &quot;0.0.0.0/0&quot;');
    expect(simple.Body!.Html!.Data).toContain('<a href="https://example.test/r.html">');
  });

  it('publishes the text digest to SNS with an ASCII subject of at most 100 characters', async () => {
    const published: PublishCommandInput[] = [];
    const sns = createSnsNotifier({
      client: { send: async (c: unknown) => void published.push((c as PublishCommand).input) } as never,
      topicArn: 'arn:aws:sns:us-east-1:999999999999:kubeposture-alerts',
      minSeverity: 'low',
    });
    await sns.notify(big, {});
    const p = published[0]!;
    expect(p.TopicArn).toBe('arn:aws:sns:us-east-1:999999999999:kubeposture-alerts');
    expect(p.Subject!.length).toBeLessThanOrEqual(100);
    expect(p.Subject).toMatch(/^[\x20-\x7e…]+$/);
    expect(p.Message).toContain('...and 72 more');
    expect(toEmailDigest(big, { minSeverity: 'low' }).text).toBe(p.Message);
  });
});

describe('Security Hub sink', () => {
  it('imports in batches of at most 100, spaced to stay under 10 calls per second, resolved findings archived', async () => {
    const calls: BatchImportFindingsCommandInput[] = [];
    let clock = 0;
    const sleeps: number[] = [];
    const many = aReconciledReport(
      Array.from({ length: 230 }, (_, i) => aFinding({ checkId: 'EKS.LOGGING.1', cluster: `n${i}`, severity: 'low' })),
    );
    const sink = createSecurityHubSink({
      client: {
        send: async (c: unknown) => {
          expect(c).toBeInstanceOf(BatchImportFindingsCommand);
          calls.push((c as BatchImportFindingsCommand).input);
          return { FailedCount: 0, SuccessCount: 1, FailedFindings: [] };
        },
      } as never,
      catalogue: checks,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    await sink.notify(many, {});
    expect(calls.map((c) => c.Findings!.length)).toEqual([100, 100, 37]);
    expect(sleeps).toEqual([100, 100]);
    const all = calls.flatMap((c) => c.Findings!);
    expect(new Set(all.map((f) => f.Id)).size).toBe(all.length);
    expect(all.filter((f) => f.RecordState === 'ARCHIVED')).toHaveLength(2);
  });

  it('imports everything first and every 30 days, otherwise only what changed; a failed full import is redone', async () => {
    // Prepare: a record of the last complete import, and a Security Hub that rejects one finding on demand.
    let recorded: string | undefined;
    const record = {
      last: async () => recorded,
      done: async (at: string) => {
        recorded = at;
      },
    };
    let reject = false;
    const sent: string[][] = [];
    const sink = createSecurityHubSink({
      client: {
        send: async (c: BatchImportFindingsCommand) => {
          sent.push(c.input.Findings!.map((f) => f.ProductFields!['kubeposture/Lifecycle']!));
          return reject
            ? { FailedCount: 1, FailedFindings: [{ Id: 'x', ErrorCode: 'InvalidInput', ErrorMessage: 'no' }] }
            : { FailedCount: 0, FailedFindings: [] };
        },
      } as never,
      catalogue: checks,
      fullImports: record,
      sleep: async () => {},
    });
    const at = (startedAt: string): ScanReport => ({ ...report, scan: { ...report.scan, startedAt } });
    const everything = ['new', 'new', 'persisting', 'persisting (stale)', 'regressed', 'resolved', 'resolved'];
    const changes = ['new', 'new', 'regressed', 'resolved', 'resolved'];

    // Act + assess: no record yet → everything; it is recorded only when Security Hub accepted it all.
    reject = true;
    await expect(sink.notify(at('2026-06-01T08:00:00.000Z'), {})).rejects.toThrow(SecurityHubImportError);
    expect(recorded).toBeUndefined();
    reject = false;
    await sink.notify(at('2026-06-01T08:00:00.000Z'), {});
    expect(recorded).toBe('2026-06-01T08:00:00.000Z');
    // The next day: only the changes; 30 days after the last full import: everything again.
    await sink.notify(at('2026-06-02T08:00:00.000Z'), {});
    await sink.notify(at('2026-07-01T08:00:00.000Z'), {});
    expect(sent.map((lifecycles) => [...lifecycles].sort())).toEqual([everything, everything, changes, everything]);
    expect(recorded).toBe('2026-07-01T08:00:00.000Z');
  });

  it('reports the findings Security Hub rejected, after trying every batch', async () => {
    let calls = 0;
    const sink = createSecurityHubSink({
      client: {
        send: async () => {
          calls++;
          return {
            FailedCount: 1,
            FailedFindings: [{ Id: 'abc', ErrorCode: 'InvalidInput', ErrorMessage: 'Title too long' }],
          };
        },
      } as never,
      catalogue: checks,
      sleep: async () => {},
    });
    await expect(sink.notify(report, {})).rejects.toThrow(
      'Security Hub rejected 1 findings (abc: InvalidInput Title too long)',
    );
    expect(calls).toBe(1);
  });
});
