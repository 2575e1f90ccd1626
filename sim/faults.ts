import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import type { AwsProtocol, SimResponse } from './aws/protocol.ts';
import type { SimCall } from './aws/router.ts';

/**
 * The simulator's fault layer: a seeded, rate-based injector in front of every simulated endpoint (AWS, Azure ARM,
 * GKE + Cloud Resource Manager, each cluster's Kubernetes API). Each server computes its real answer, then hands it
 * to `FaultInjector.deliver`, which either writes it or replaces it with a fault as that cloud (or a broken proxy in
 * front of it) would send it. Every injection is recorded, per call, in `injected` and on the call (`SimCall.fault`).
 * See "Fault injection" in sim/README.md.
 */

export const FAULT_KINDS = [
  'throttle',
  'server-error',
  'truncated',
  'garbage',
  'empty',
  'hang',
  'slow',
  'repeat-token',
  'reset',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_CLOUDS = ['aws', 'azure', 'gcp', 'k8s'] as const;
export type FaultCloud = (typeof FAULT_CLOUDS)[number];

/** Faults that change a successful answer: drawn only for a 2xx answer with a body (repeat-token: a list that pages). */
const ON_SUCCESS: ReadonlySet<FaultKind> = new Set(['truncated', 'garbage', 'empty', 'repeat-token']);

const oneOrMany = <T extends z.ZodType<string>>(item: T) => z.union([item, z.array(item).min(1)]);

const FaultMatchSchema = z
  .object({
    /** Which endpoint: `aws` (every AWS service), `azure` (ARM), `gcp` (GKE and Resource Manager), `k8s`. */
    cloud: oneOrMany(z.enum(FAULT_CLOUDS)).optional(),
    /** AWS signing name (`eks`, `sts`, `ec2`, `iam`, `ssm`, `guardduty`, `organizations`, `kms`), `arm` (Key Vault included), `gke`, `crm`, `iam` (GCP roles.get), `cloudkms`, `k8s`. */
    service: oneOrMany(z.string().min(1)).optional(),
    /** The action as `SimCall.action` names it: `ListClusters`, `ManagedClusters.List`, `clusters.list`. */
    action: oneOrMany(z.string().min(1)).optional(),
    /** AWS account, Azure subscription or GCP project the call reads. */
    accountId: oneOrMany(z.string().min(1)).optional(),
  })
  .strict();

const FaultRuleSchema = FaultMatchSchema.extend({
  kind: z.enum(FAULT_KINDS),
  /** Probability per matching call, 0..1. */
  rate: z.number().min(0).max(1),
  /** Calls matching any of these are never faulted by this rule (e.g. `[{ service: 'sts', action: 'AssumeRole' }]`). */
  except: z.array(FaultMatchSchema).optional(),
  /** `slow`: how long the answer is held back, in ms (default 2000). */
  slowMs: z.number().int().min(0).max(600_000).optional(),
  /**
   * `truncated`: `close` (Content-Length of the whole body, the connection closed part way through it) or `length`
   * (the cut body with a matching Content-Length: the JSON/XML is incomplete). Default: either, by the seed.
   */
  truncate: z.enum(['close', 'length']).optional(),
  /** `throttle`: the Retry-After (seconds) ARM and the Kubernetes API send (AWS and GKE send none). Default 1. */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** At most this many injections by this rule (sticky repeat-token answers included); default unlimited. */
  limit: z.number().int().min(1).optional(),
}).strict();

const FaultPlanSchema = z
  .object({
    /** Seeds the PRNG: the same plan and the same sequence of calls inject the same faults. Default 1. */
    seed: z.number().int().optional(),
    /** Tried in order for each call; the first rule that matches and whose draw hits decides. */
    rules: z.array(FaultRuleSchema),
  })
  .strict();

export type FaultMatch = z.infer<typeof FaultMatchSchema>;
export type FaultRule = z.infer<typeof FaultRuleSchema>;
export type FaultPlan = z.input<typeof FaultPlanSchema>;

/** One fault the simulator injected. */
export interface InjectedFault {
  kind: FaultKind;
  cloud: FaultCloud;
  service: string;
  action: string;
  accountId?: string;
  region?: string;
  /** `truncated`: close | length; `repeat-token`: the token repeated; `throttle`/`server-error`: the error code. */
  detail?: string;
  /** The faulted request's fingerprint (`SimCall.request`): a later call with the same one is its retry. */
  request?: string;
}

/**
 * Names one request by what it asks (method, path, query, body), not by when: a retry has the same fingerprint, so a
 * test can tell a fault that was retried away from one whose data was lost.
 */
export function requestFingerprint(method: string | undefined, url: string | undefined, body = ''): string {
  return createHash('sha256')
    .update(`${method ?? 'GET'} ${url ?? '/'}\n${body}`)
    .digest('base64url')
    .slice(0, 16);
}

/** Validates a plan; throws naming the field (`faults.rules[2].rate: ...`). */
export function parseFaultPlan(plan: unknown): z.infer<typeof FaultPlanSchema> {
  const r = FaultPlanSchema.safeParse(plan);
  if (r.success) return r.data;
  const issues = r.error.issues.map(
    (i) => `faults.${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.')}: ${i.message}`,
  );
  throw new RangeError(`Invalid fault plan:\n  ${issues.join('\n  ').replace(/\.\[/g, '[')}`);
}

/** mulberry32: small, fast and good enough to make fault sequences repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Tokens the fault layer minted start with this; servers strip them from requests (see `stripFaultTokens`). */
export const FAULT_TOKEN_PREFIX = 'kpfault-repeat-';
const isFaultToken = (t: string | undefined): t is string => Boolean(t?.startsWith(FAULT_TOKEN_PREFIX));

/** What a broken proxy sends instead of the service's answer (Envoy's text): neither JSON nor XML. */
export const GARBAGE_BODY =
  'upstream connect error or disconnect/reset before headers. reset reason: connection termination';

/** How a list answer pages, for repeat-token. */
export interface Paging {
  /** The page token the request carried (undefined on the first page). */
  requestToken?: string;
  /** The answer's body with `token` as its next-page token. */
  withToken(body: string, token: string): string;
}

/** Wire shapes the fault layer renders errors and empty bodies in. */
export type WireProtocol = AwsProtocol | 'arm' | 'google' | 'k8s';

/** One answered request, as a server hands it to the injector. */
export interface Delivery {
  cloud: FaultCloud;
  protocol: WireProtocol;
  req: IncomingMessage;
  res: ServerResponse;
  /** The call record (service, action, account); the injector sets its status, errorCode and fault, then records it. */
  call: SimCall;
  /** The answer the simulator would give. */
  response: SimResponse;
  /** The cloud's own throttling and server errors for this call (AWS: each service's; others: built in). */
  errors?: { throttled(): FaultError; serverError(): FaultError };
  /** Present when the answer is a page of a list that clients walk by token. */
  paging?: Paging;
  record(call: SimCall): void;
}

export interface FaultError {
  response: SimResponse;
  code: string;
}

interface Rule extends FaultRule {
  injected: number;
}

/** The live fault layer of one simulated cloud: `set`/`clear` between scans, `injected` to see what happened. */
export class FaultInjector {
  /** Every fault injected since the last `set` (or the start), in order. */
  readonly injected: InjectedFault[] = [];
  private rules: Rule[] = [];
  private random: () => number = prng(1);
  private minted = 0;
  /** Real page tokens a repeat-token answer echoed: a request carrying one is answered the same way again. */
  private readonly echoed = new Set<string>();
  private readonly hung = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(plan?: FaultPlan) {
    if (plan) this.set(plan);
  }

  /** Replaces the plan (and restarts the PRNG from its seed). Throws naming the field when the plan is invalid. */
  set(plan: FaultPlan): void {
    const parsed = parseFaultPlan(plan);
    this.rules = parsed.rules.map((r) => ({ ...r, injected: 0 }));
    this.random = prng(parsed.seed ?? 1);
    this.injected.length = 0;
    this.echoed.clear();
  }

  /**
   * No faults from now on; `injected` keeps the record of the plan that ran. Hung requests stay hung (until the
   * client gives up, `releaseHung()` or close).
   */
  clear(): void {
    this.rules = [];
    this.echoed.clear();
  }

  /** Current rules (validated, with defaults). */
  get plan(): readonly FaultRule[] {
    return this.rules.map(({ injected: _, ...r }) => r);
  }

  /** How many injections match every given field. */
  count(filter: Partial<InjectedFault> = {}): number {
    const want = Object.entries(filter).filter(([, v]) => v !== undefined) as [keyof InjectedFault, unknown][];
    return this.injected.filter((f) => want.every(([k, v]) => f[k] === v)).length;
  }

  /** Requests held open by `hang` right now. */
  get hanging(): number {
    return this.hung.size;
  }

  /** Drops the connections of hung requests (the client sees a reset). */
  releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /** Ends hung requests and pending slow answers: part of the simulator's close(). */
  close(): void {
    this.releaseHung();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Writes the answer, or the fault the plan draws for it; records the call either way. */
  deliver(d: Delivery): void {
    const rule = this.pick(d);
    if (!rule) {
      write(d, d.response);
      return;
    }
    rule.injected++;
    const fault: InjectedFault = {
      kind: rule.kind,
      cloud: d.cloud,
      service: d.call.service,
      action: d.call.action,
      ...(d.call.accountId ? { accountId: d.call.accountId } : {}),
      ...(d.call.region ? { region: d.call.region } : {}),
      ...(d.call.request ? { request: d.call.request } : {}),
    };
    this.injected.push(fault);
    d.call.fault = rule.kind;
    switch (rule.kind) {
      case 'throttle':
      case 'server-error': {
        const e =
          rule.kind === 'throttle'
            ? (d.errors?.throttled() ?? throttled(d, rule.retryAfterSeconds ?? 1))
            : (d.errors?.serverError() ?? serverError(d));
        fault.detail = e.code;
        d.call.errorCode = e.code;
        write(d, e.response);
        return;
      }
      case 'empty':
        write(d, { ...d.response, body: emptyBody(d) });
        return;
      case 'garbage':
        write(d, { ...d.response, body: GARBAGE_BODY });
        return;
      case 'repeat-token': {
        const requested = d.paging?.requestToken;
        // Echo the token the request sent (A→A); on a first page, a token of ours that names the first page again.
        const token = requested || `${FAULT_TOKEN_PREFIX}${++this.minted}`;
        if (!isFaultToken(token)) this.echoed.add(token);
        fault.detail = token;
        write(d, { ...d.response, body: d.paging!.withToken(d.response.body, token) });
        return;
      }
      case 'truncated': {
        const body = Buffer.from(d.response.body);
        const variant = rule.truncate ?? (this.random() < 0.5 ? 'close' : 'length');
        const cut = Math.max(1, Math.min(body.length - 1, Math.floor(body.length * (0.2 + 0.6 * this.random()))));
        fault.detail = variant;
        d.call.status = d.response.status;
        d.record(d.call);
        if (variant === 'length') {
          send(d.res, d.response.status, d.response.headers, body.subarray(0, cut));
          return;
        }
        // The whole body's Content-Length, part of it, then the connection closes.
        d.res.writeHead(d.response.status, { ...d.response.headers, 'content-length': body.length });
        d.res.write(body.subarray(0, cut), () => d.res.destroy());
        return;
      }
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          write(d, d.response);
        }, rule.slowMs ?? 2_000);
        timer.unref();
        this.timers.add(timer);
        return;
      }
      case 'hang':
        d.call.status = 0;
        d.record(d.call);
        this.hung.add(d.res);
        d.res.on('close', () => this.hung.delete(d.res));
        return;
      case 'reset':
        d.call.status = 0;
        d.record(d.call);
        d.req.socket.destroy();
        return;
    }
  }

  private pick(d: Delivery): Rule | undefined {
    const ok = d.response.status >= 200 && d.response.status < 300 && d.response.body.length > 1;
    for (const rule of this.rules) {
      if (rule.limit !== undefined && rule.injected >= rule.limit) continue;
      if (!matches(rule, d) || rule.except?.some((m) => matches(m, d))) continue;
      if (ON_SUCCESS.has(rule.kind) && !ok) continue;
      if (rule.kind === 'repeat-token') {
        if (!d.paging) continue;
        const t = d.paging.requestToken;
        // Sticky: a walk already sent round in a circle stays in it, so a naive client loops forever.
        if (isFaultToken(t) || (t !== undefined && this.echoed.has(t))) return rule;
      }
      if (rule.rate > 0 && this.random() < rule.rate) return rule;
    }
    return undefined;
  }
}

function matches(m: FaultMatch, d: Delivery): boolean {
  const is = (want: string | string[] | undefined, got: string | undefined) =>
    want === undefined || (got !== undefined && (Array.isArray(want) ? want.includes(got) : want === got));
  return (
    is(m.cloud, d.cloud) &&
    is(m.service, d.call.service) &&
    is(m.action, d.call.action) &&
    is(m.accountId, d.call.accountId)
  );
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function write(d: Delivery, r: SimResponse): void {
  d.call.status = r.status;
  d.record(d.call);
  send(d.res, r.status, r.headers, r.body);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function googleError(status: number, grpc: string, message: string, details?: unknown[]): SimResponse {
  return {
    status,
    headers: JSON_HEADERS,
    body: JSON.stringify({ error: { code: status, message, status: grpc, ...(details ? { details } : {}) } }),
  };
}

function k8sStatus(code: number, reason: string, message: string, headers: Record<string, string> = {}): SimResponse {
  return {
    status: code,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }),
  };
}

/** Throttling as ARM, Google and the Kubernetes API send it (AWS services pass their own in `errors`). */
function throttled(d: Delivery, retryAfterSeconds: number): FaultError {
  const retryAfter = String(retryAfterSeconds);
  switch (d.protocol) {
    case 'arm': {
      const code = d.call.accountId ? 'SubscriptionRequestsThrottled' : 'TenantRequestsThrottled';
      const scope = d.call.accountId ? `subscription '${d.call.accountId}'` : 'tenant';
      return {
        code,
        response: {
          status: 429,
          headers: { ...JSON_HEADERS, 'retry-after': retryAfter, 'x-ms-ratelimit-remaining-subscription-reads': '0' },
          body: JSON.stringify({
            error: {
              code,
              message: `Number of 'read' requests for ${scope} exceeded. Please try again after '${retryAfter}' seconds after additional tokens are available.`,
            },
          }),
        },
      };
    }
    case 'google': {
      const service =
        d.call.service === 'crm'
          ? 'cloudresourcemanager.googleapis.com'
          : d.call.service === 'iam'
            ? 'iam.googleapis.com'
            : 'container.googleapis.com';
      const consumer = d.call.accountId ? `projects/${d.call.accountId}` : 'projects/kubeposture-scanner';
      return {
        code: 'RATE_LIMIT_EXCEEDED',
        response: googleError(
          429,
          'RESOURCE_EXHAUSTED',
          `Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service '${service}' for consumer '${consumer}'.`,
          [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'RATE_LIMIT_EXCEEDED',
              domain: 'googleapis.com',
              metadata: {
                service,
                consumer,
                quota_metric: `${service}/read_requests`,
                quota_limit: 'ReadRequestsPerMinutePerProject',
              },
            },
          ],
        ),
      };
    }
    case 'k8s':
      return {
        code: 'TooManyRequests',
        response: k8sStatus(429, 'TooManyRequests', 'Too many requests, please try again later.', {
          'retry-after': retryAfter,
        }),
      };
    default:
      throw new Error(`sim/faults: no throttling error given for ${d.cloud} ${d.call.service}`);
  }
}

function serverError(d: Delivery): FaultError {
  switch (d.protocol) {
    case 'arm':
      return {
        code: 'InternalServerError',
        response: {
          status: 500,
          headers: JSON_HEADERS,
          body: JSON.stringify({
            error: { code: 'InternalServerError', message: 'Encountered internal server error. Please try again.' },
          }),
        },
      };
    case 'google':
      return {
        code: 'UNAVAILABLE',
        response: googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
      };
    case 'k8s':
      return {
        code: 'InternalError',
        response: k8sStatus(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'),
      };
    default:
      throw new Error(`sim/faults: no server error given for ${d.cloud} ${d.call.service}`);
  }
}

/**
 * Calls whose `{}` is a valid answer that no client can tell from an `empty` fault: proto3 JSON omits empty repeated
 * fields, so GKE `clusters.list` for a project without clusters, and a Resource Manager `projects.list` page with no
 * projects (a last page, or an identity that sees none), are `{}` on the wire. The collector must believe them
 * (collectors/gcp/schemas.ts), so a campaign that means "no empty answer may lose data" excludes them from its
 * `empty` rules (`except: EMPTY_IS_AN_ANSWER`); injecting `{}` there shows the documented limit instead (a project's
 * clusters vanish with no gap), which collectors/gcp/faults.test.ts pins. Every other Google answer the collector
 * reads has a field that is always sent (an etag, a name, a version list), so its `{}` is refused as Malformed.
 */
export const EMPTY_IS_AN_ANSWER: readonly FaultMatch[] = [
  { cloud: 'gcp', service: 'gke', action: 'clusters.list' },
  { cloud: 'gcp', service: 'crm', action: 'projects.list' },
];

/** A well-formed answer with nothing in it, as a broken proxy or gateway returns: `{}`, or an empty result element. */
function emptyBody(d: Delivery): string {
  const body = d.response.body;
  const xmlns = /xmlns="([^"]*)"/.exec(body)?.[1] ?? '';
  const requestId = d.response.headers['x-amzn-requestid'] ?? '';
  switch (d.protocol) {
    case 'awsQuery':
      return (
        `<${d.call.action}Response xmlns="${xmlns}"><${d.call.action}Result></${d.call.action}Result>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${d.call.action}Response>`
      );
    case 'ec2Query':
      return `<${d.call.action}Response xmlns="${xmlns}"><requestId>${requestId}</requestId></${d.call.action}Response>`;
    default: {
      // Any other XML (a REST-XML service): its root element, empty.
      const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([\w:.-]+)/.exec(body)?.[1];
      return root ? `<${root}${xmlns ? ` xmlns="${xmlns}"` : ''}></${root}>` : '{}';
    }
  }
}

/**
 * AWS list actions that page, by signing name: what repeat-token applies to. A naive client follows the token it gets.
 */
export const AWS_PAGED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  eks: [
    'ListClusters',
    'ListNodegroups',
    'ListAddons',
    'ListAccessEntries',
    'ListAssociatedAccessPolicies',
    'ListPodIdentityAssociations',
    'DescribeClusterVersions',
    'DescribeAddonVersions',
    'ListInsights',
  ],
  guardduty: ['ListDetectors'],
  ec2: ['DescribeLaunchTemplateVersions', 'DescribeImages', 'DescribeInstances'],
  iam: ['ListRoles', 'GetAccountAuthorizationDetails'],
  organizations: ['ListAccounts', 'ListPoliciesForTarget'],
};

/** The request parameter (query/form) or JSON member an AWS protocol carries its page token in. */
const AWS_TOKEN_NAMES = ['nextToken', 'NextToken', 'Marker'];

/**
 * Removes page tokens the fault layer minted from an AWS request (query, form, JSON body), so the service answers
 * the first page again; returns the token removed. Always on: a walk left looping by a cleared plan then ends.
 */
export function stripFaultTokens(req: { url: URL; params: URLSearchParams; body: string }): {
  token?: string;
  body: string;
} {
  let token: string | undefined;
  for (const name of AWS_TOKEN_NAMES) {
    for (const p of [req.params, req.url.searchParams]) {
      const v = p.get(name);
      if (isFaultToken(v ?? undefined)) {
        token = v!;
        p.delete(name);
      }
    }
  }
  let body = req.body;
  if (body.includes(FAULT_TOKEN_PREFIX) && body.trimStart().startsWith('{')) {
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      for (const name of AWS_TOKEN_NAMES) {
        const v = json[name];
        if (typeof v === 'string' && isFaultToken(v)) {
          token = v;
          delete json[name];
        }
      }
      body = JSON.stringify(json);
    } catch {
      // not JSON: nothing of ours in it
    }
  }
  return token ? { token, body } : { body };
}

/** The page token an AWS request carries, wherever its protocol puts it. */
export function awsRequestToken(req: { params: URLSearchParams; body: string }): string | undefined {
  for (const name of AWS_TOKEN_NAMES) {
    const v = req.params.get(name);
    if (v) return v;
  }
  if (req.body.trimStart().startsWith('{')) {
    try {
      const json = JSON.parse(req.body) as Record<string, unknown>;
      for (const name of AWS_TOKEN_NAMES) if (typeof json[name] === 'string' && json[name]) return json[name] as string;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

const xmlText = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

/** Sets the next-page token of an AWS list answer in its protocol's place. */
export function awsWithToken(protocol: AwsProtocol, action: string, body: string, token: string): string {
  switch (protocol) {
    case 'restJson1':
      return JSON.stringify({ ...(JSON.parse(body) as object), nextToken: token });
    case 'awsJson1_1':
      return JSON.stringify({ ...(JSON.parse(body) as object), NextToken: token });
    case 'ec2Query':
      return body
        .replace(/<nextToken>[^<]*<\/nextToken>/, '')
        .replace(`</${action}Response>`, `<nextToken>${xmlText(token)}</nextToken></${action}Response>`);
    case 'awsQuery':
      // IAM: IsTruncated + Marker inside the result element.
      return body
        .replace(/<IsTruncated>[^<]*<\/IsTruncated>/, '')
        .replace(/<Marker>[^<]*<\/Marker>/, '')
        .replace(
          `<${action}Result>`,
          `<${action}Result><IsTruncated>true</IsTruncated><Marker>${xmlText(token)}</Marker>`,
        );
    default:
      // A protocol without token paging here: list its actions in AWS_PAGED_ACTIONS only once it has a case.
      return body;
  }
}

/** ARM list answers (`{ value: [...] }`) page by an absolute `nextLink` carrying `$skipToken`. */
export function armPaging(body: string, requestUrl: URL): Paging | undefined {
  try {
    if (!Array.isArray((JSON.parse(body) as { value?: unknown }).value)) return undefined;
  } catch {
    return undefined;
  }
  return {
    ...(requestUrl.searchParams.get('$skipToken') ? { requestToken: requestUrl.searchParams.get('$skipToken')! } : {}),
    withToken(b, token) {
      const next = new URL(requestUrl);
      next.searchParams.set('$skipToken', token);
      return JSON.stringify({ ...(JSON.parse(b) as object), nextLink: next.toString() });
    },
  };
}

/** Google list answers page by `nextPageToken`, asked for with `pageToken`. */
export function googlePaging(requestUrl: URL): Paging {
  const t = requestUrl.searchParams.get('pageToken');
  return {
    ...(t ? { requestToken: t } : {}),
    withToken: (b, token) => JSON.stringify({ ...(JSON.parse(b) as object), nextPageToken: token }),
  };
}
