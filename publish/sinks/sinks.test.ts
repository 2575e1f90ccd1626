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
import { createSlackNotifier, redactWebhook, SlackError } from './slack.ts';

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

/** ESC/OSC sequences, a C1 CSI, a bidi override and a newline, as a hostile cloud could put in a name or message. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[31m\x9b2J\u202eevil\n<!channel>';
/** What HOSTILE holds raw; none of it may reach a digest. */
const RAW = ['\x1b', '\x07', '\x9b', '\u202e'];
const rawIn = (s: string) => RAW.filter((c) => s.includes(c));
const hostile = aReconciledReport([
  aFinding({ checkId: 'EKS.AUTH.1', cluster: `c${HOSTILE}`, severity: 'critical', message: `role/${HOSTILE}` }),
]);

describe('digests of hostile cloud data', () => {
  it('sends Slack no control or bidi character, and no mention or link', () => {
    const { text, blocks } = toSlackDigest(hostile, { minSeverity: 'low' });
    const all = [text, ...textsOf(blocks)].join('\n');
    expect(rawIn(all)).toEqual([]);
    expect(all).toContain('role/\\u001b]0;pwned\\u0007\\u001b[31m\\u009b2J\\u202eevil\\n&lt;!channel&gt;');
  });

  it('sends email (text and HTML) no control or bidi character', () => {
    const d = toEmailDigest(hostile, { minSeverity: 'low' });
    for (const part of [d.subject, d.text, d.html]) expect(rawIn(part)).toEqual([]);
    expect(d.text).toContain('role/\\u001b]0;pwned\\u0007\\u001b[31m\\u009b2J\\u202eevil\\n<!channel>');
    expect(d.html).toContain('role/\\u001b]0;pwned\\u0007\\u001b[31m\\u009b2J\\u202eevil\\n&lt;!channel&gt;');
  });
});

describe('Slack notifier (a webhook answered on 127.0.0.1)', () => {
  let server: Server;
  let port: number;
  /** The real webhook shape: tests cannot reach hooks.slack.com, so the transport below answers on loopback. */
  const url = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';
  const received: { body: string; path: string }[] = [];
  let respond: (res: ServerResponse, req: IncomingMessage) => void = (res) => res.end('ok');
  /** An injected fetch: the URL the sink checked and chose, sent to the loopback server with the same path. */
  const loopback: typeof fetch = (input, init) =>
    fetch(`http://127.0.0.1:${port}${new URL(String(input)).pathname}`, init);

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, path: req.url ?? '' });
        respond(res, req);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
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
      fetch: loopback,
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
      fetch: loopback,
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

  it('redacts the webhook path when the endpoint echoes it (plain, encoded, as a URL) in its error body', async () => {
    respond = (res, req) =>
      res
        .writeHead(403)
        .end(
          `invalid_token: no hook at ${req.url} (https://hooks.slack.com${req.url}, ${encodeURIComponent(req.url ?? '')}); token SECRETTOKEN\x1b]0;x\x07`,
        );
    const slack = createSlackNotifier({
      webhook: { env: 'SLACK_URL', vars: { SLACK_URL: url } },
      minSeverity: 'low',
      fetch: loopback,
    });
    const error = (await slack.notify(report, {}).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SlackError);
    expect(error.message).toMatch(/^Slack webhook answered 403: invalid_token: no hook at \[redacted\]/);
    for (const secret of ['SECRETTOKEN', 'T000/B000', 'T000%2FB000', '\x1b'])
      expect(error.message).not.toContain(secret);
    expect(error.cause).toBeUndefined();
    respond = (res) => res.end('ok');
  });

  it('redacts token-looking text but keeps Slack error codes readable', () => {
    const hook = new URL('https://hooks.slack.com/services/T0/B0/SECRETTOKEN');
    expect(
      redactWebhook('posting_to_general_channel_denied; other hook aB3dE5fG7hJ9kL1mN3pQ5rS7 token xoxb-12-ab', hook),
    ).toBe('posting_to_general_channel_denied; other hook [redacted] token [redacted]');
  });

  it('names the missing variable, and never the URL, when it cannot connect', async () => {
    const missing = createSlackNotifier({ webhook: { env: 'NOPE', vars: {} }, minSeverity: 'low' });
    await expect(missing.notify(report, {})).rejects.toThrow('environment variable NOPE is empty');
    // A real undici error (connection refused on a port just closed), whose cause names the address.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const closed = createSlackNotifier({
      webhook: { env: 'U', vars: { U: url } },
      minSeverity: 'low',
      fetch: (input, init) => fetch(`http://127.0.0.1:${closedPort}${new URL(String(input)).pathname}`, init),
    });
    const error = (await closed.notify(report, {}).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      'Slack webhook request to hooks.slack.com failed (ECONNREFUSED): the connection was refused',
    );
    expect(error.cause).toBeUndefined();
    // A transport whose error message and cause both quote the URL.
    const leaky = createSlackNotifier({
      webhook: { env: 'U', vars: { U: url } },
      minSeverity: 'low',
      fetch: async (input) => {
        throw new TypeError(`fetch failed: ${String(input)}`, { cause: { code: `bad ${String(input)}` } });
      },
    });
    const e2 = (await leaky.notify(report, {}).catch((e: unknown) => e)) as Error;
    expect(e2.message).toBe('Slack webhook request to hooks.slack.com failed (TypeError)');
    expect(JSON.stringify(e2) + String(e2.cause)).not.toContain('SECRETTOKEN');
  });

  it.each([
    [
      'an unresolvable host',
      Object.assign(new Error('getaddrinfo ENOTFOUND hooks.slack.com'), { code: 'ENOTFOUND' }),
      'failed (ENOTFOUND): the host name does not resolve (DNS, or no network without a proxy)',
    ],
    ['a redirect', new Error('unexpected redirect'), 'failed (TypeError): the endpoint answered with a redirect'],
    [
      'an unknown cause quoting the URL',
      new Error(`socket hang up at ${url}`),
      'failed (TypeError): socket hang up at [redacted]',
    ],
  ])('says what went wrong with %s, naming the host and never the path', async (_, cause, expected) => {
    const notifier = createSlackNotifier({
      webhook: { env: 'U', vars: { U: url } },
      minSeverity: 'low',
      fetch: async () => {
        throw new TypeError('fetch failed', { cause });
      },
    });
    const error = (await notifier.notify(report, {}).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`Slack webhook request to hooks.slack.com ${expected}`);
    expect(error.message).not.toMatch(/SECRETTOKEN|T000\/B000/);
  });

  it.each([
    ['http', 'http://hooks.slack.com/services/T0/B0/SECRETTOKEN', 'must use https, not http (host hooks.slack.com;'],
    [
      'another host',
      'https://evil.example/services/T0/B0/SECRETTOKEN',
      'must point to hooks.slack.com, not evil.example',
    ],
    ['loopback', 'https://127.0.0.1:8443/services/T0/B0/SECRETTOKEN', 'must point to hooks.slack.com, not 127.0.0.1'],
    [
      'a look-alike host',
      'https://hooks.slack.com.evil.example/services/SECRETTOKEN',
      'must point to hooks.slack.com, not hooks.slack.com.evil.example',
    ],
    [
      'credentials in the URL',
      'https://u:SECRETTOKEN@hooks.slack.com/services/x',
      'must not carry a user name or password',
    ],
    [
      'not a URL',
      'hooks.slack.com/services/T0/B0/SECRETTOKEN',
      'is not a URL (its value is a secret and is not shown)',
    ],
  ])('refuses %s before sending anything, without printing the path', async (_, bad, message) => {
    let sent = 0;
    const slack = createSlackNotifier({
      webhook: { env: 'SLACK_URL', vars: { SLACK_URL: bad } },
      minSeverity: 'low',
      fetch: async () => {
        sent++;
        return new Response('ok');
      },
    });
    const error = (await slack.notify(report, {}).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SlackError);
    expect(error.message).toContain(`The Slack webhook URL in environment variable SLACK_URL ${message}`);
    expect(error.message).not.toContain('SECRETTOKEN');
    expect(error.message).not.toContain('/services');
    expect(sent).toBe(0);
  });

  it('accepts, over https only, a host the configuration names; a secret is checked the same way', async () => {
    received.length = 0;
    const proxied = createSlackNotifier({
      webhook: { env: 'U', vars: { U: 'https://slack-proxy.example.test/services/T0/B0/SECRETTOKEN' } },
      webhookHosts: ['slack-proxy.example.test'],
      minSeverity: 'low',
      fetch: loopback,
    });
    await proxied.notify(report, {});
    expect(received.map((r) => r.path)).toEqual(['/services/T0/B0/SECRETTOKEN']);
    const secret = createSlackNotifier({
      webhook: {
        secretId: 'kubeposture/slack-test-http',
        client: { send: async () => ({ SecretString: 'http://hooks.slack.com/services/T0/B0/SECRETTOKEN' }) } as never,
      },
      minSeverity: 'low',
      fetch: loopback,
    });
    await expect(secret.notify(report, {})).rejects.toThrow(
      'The Slack webhook URL in secret kubeposture/slack-test-http must use https',
    );
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
