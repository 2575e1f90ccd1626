import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import { parseClusterRef } from '../../core/cluster-ref.ts';
import { parseConfig } from '../../core/config.ts';
import { Deadline } from '../../core/deadline.ts';
import { evaluateSnapshots } from '../../core/engine.ts';
import type { Finding } from '../../core/finding.ts';
import { reconcile } from '../../core/lifecycle.ts';
import { runScan } from '../../core/scan.ts';
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import type { TargetCollection } from '../../core/target.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { organizationsClient } from './clients.ts';
import { type FaultProxy, type FaultRule, jsonTarget, queryAction, rest, startFaultProxy } from './fault-proxy.ts';
import { createAwsCollector } from './index.ts';
import { listOrganizationAccounts } from './organizations.ts';

/**
 * The collector through the real SDK clients, with one fault at a time injected on the wire by a loopback proxy in
 * front of the simulated fleet (the sample: account 111111111111 has clusters in us-east-1 and eu-west-1).
 */
const PROD = '111111111111';
let sim: SimulatedCloud;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  sim = await startSimulatedCloud(await loadSampleFleet());
});
afterAll(() => sim?.close());
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

interface Setup {
  rules?: FaultRule[];
  regions?: string[];
  collection?: Record<string, number>;
  maxAttempts?: number;
}

async function collectorWith({ rules = [], regions = ['us-east-1', 'eu-west-1'], collection, maxAttempts = 2 }: Setup) {
  proxy = await startFaultProxy(sim.aws.endpoint, rules);
  const config = parseConfig({
    aws: { accounts: [{ id: PROD }], regions, roleName: sim.spec.readerRoleName, maxAttempts, retryBaseDelayMs: 1 },
    // Generous by default (the machine may be busy); the timeout tests set their own.
    collection: { requestTimeoutMs: 5_000, connectTimeoutMs: 2_000, ...collection },
  });
  const collector = createAwsCollector(config, {
    endpoint: proxy.endpoint,
    credentials: sim.callerCredentials,
    homeRegion: 'us-east-1',
  });
  return { config, collector };
}

async function collectAll(setup: Setup) {
  const { config, collector } = await collectorWith(setup);
  const regions = setup.regions ?? ['us-east-1', 'eu-west-1'];
  const collected = await Promise.all(
    regions.map((region) => collector.collect({ provider: 'aws', accountId: PROD, region })),
  );
  const snapshots = collected.flatMap((c) => c.snapshots) as EksClusterSnapshot[];
  const findings = evaluateSnapshots(snapshots, checks, { now: new Date(), settings: config.checks });
  return { collected, snapshots, findings };
}

const status = (findings: Finding[], checkId: string, cluster: string) => [
  ...new Set(findings.filter((f) => f.checkId === checkId && f.clusterName === cluster).map((f) => f.status)),
];
const cluster = (snapshots: EksClusterSnapshot[], name: string) => snapshots.find((s) => s.name === name)!;

const EMPTY_JSON = { body: '{}' };
/** The three empty-but-well-formed answers of the issue: access entries, GuardDuty detectors, add-ons. */
const EMPTY_ANSWERS: FaultRule[] = [
  { match: rest('GET', /^\/clusters\/[^/]+\/access-entries$/), answer: EMPTY_JSON },
  { match: rest('GET', /^\/detector$/), answer: EMPTY_JSON },
  { match: rest('GET', /^\/clusters\/[^/]+\/addons$/), answer: EMPTY_JSON },
];

describe('an empty but well-formed 200 is a gap naming the action, never "nothing there"', () => {
  it('ListAccessEntries answering {} makes EKS.ACCESS.3 ERROR, not PASS, on a cluster that fails it', async () => {
    const baseline = await collectAll({});
    expect(status(baseline.findings, 'EKS.ACCESS.3', 'payments-eu')).toEqual(['FAIL']);

    const { snapshots, findings } = await collectAll({ rules: [EMPTY_ANSWERS[0]!] });
    expect(status(findings, 'EKS.ACCESS.3', 'payments-eu')).toEqual(['ERROR']);
    expect(cluster(snapshots, 'payments-eu').gaps).toContainEqual({
      need: 'eks:ListAccessEntries',
      code: 'Malformed',
      error: expect.stringMatching(/^Malformed: eks:ListAccessEntries answered a body without .*accessEntries/),
    });
    expect(proxy!.hits[0]).toBeGreaterThan(0);
  });

  it('empty GuardDuty and add-on answers make their checks ERROR, not FAIL', async () => {
    const baseline = await collectAll({});
    expect(status(baseline.findings, 'EKS.LOGGING.2', 'payments-prod')).toEqual(['PASS']);
    expect(status(baseline.findings, 'EKS.IDENTITY.1', 'payments-prod')).toEqual(['PASS']);

    const { snapshots, findings } = await collectAll({ rules: EMPTY_ANSWERS.slice(1) });
    expect(status(findings, 'EKS.LOGGING.2', 'payments-prod')).toEqual(['ERROR']);
    expect(status(findings, 'EKS.IDENTITY.1', 'payments-prod')).toEqual(['ERROR']);
    const needs = cluster(snapshots, 'payments-prod').gaps.map((g) => [g.need, g.code]);
    expect(needs).toEqual(
      expect.arrayContaining([
        ['guardduty:ListDetectors', 'Malformed'],
        ['eks:ListAddons', 'Malformed'],
      ]),
    );
  });

  it('a scan with empty answers resolves, opens and regresses nothing against the baseline state', async () => {
    const scan = async (rules: FaultRule[]) => {
      const { config, collector } = await collectorWith({ rules });
      const report = await runScan({ collectors: [collector], checks, config });
      await proxy?.close();
      proxy = undefined;
      return report;
    };
    const now = new Date();
    const baseline = reconcile([], await scan([]), { now });
    expect(baseline.delta.counts.open).toBeGreaterThan(0);
    const faulted = reconcile(baseline.nextState, await scan(EMPTY_ANSWERS), { now });
    expect(faulted.delta.counts).toMatchObject({ new: 0, regressed: 0, resolved: 0 });
    expect(faulted.delta.counts.stale).toBeGreaterThan(0); // what could not be re-judged stays open, marked stale
  });

  it('a detail answer without its object (DescribeCluster {}) is a gap, not a cluster without settings', async () => {
    const { snapshots, findings } = await collectAll({
      rules: [{ match: rest('GET', /^\/clusters\/payments-prod$/), answer: EMPTY_JSON }],
      regions: ['us-east-1'],
    });
    expect(cluster(snapshots, 'payments-prod').gaps).toContainEqual(
      expect.objectContaining({ need: 'eks:DescribeCluster', code: 'Malformed' }),
    );
    expect(status(findings, 'EKS.ENDPOINT.1', 'payments-prod')).toEqual(['ERROR']);
    // Retried a little (a truncated body through a flaky hop), not maxAttempts times.
    expect(proxy!.hits[0]).toBe(2);
  });
});

describe('every page walk terminates', () => {
  const loop = (body: object): FaultRule['answer'] => ({ body: JSON.stringify(body) });

  it('a ListClusters token that repeats fails the target as Malformed after two pages, never loops', async () => {
    const { collected } = await collectAll({
      rules: [
        { match: rest('GET', /^\/clusters$/), answer: loop({ clusters: ['payments-prod'], nextToken: 'again' }) },
      ],
      regions: ['us-east-1'],
    });
    expect(collected[0]!.snapshots).toEqual([]);
    expect(collected[0]!.errors).toEqual([
      expect.objectContaining({
        stage: 'list-clusters',
        code: 'Malformed',
        message: expect.stringContaining('pagination did not terminate'),
      }),
    ]);
    expect(proxy!.hits[0]).toBe(2);
  });

  it('a Marker that repeats in the IAM ListRoles walk is an iam:ListRoles gap on each cluster', async () => {
    const page = (marker: string) =>
      '<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult>' +
      `<IsTruncated>true</IsTruncated><Marker>${marker}</Marker><Roles><member><Path>/</Path><RoleName>r</RoleName>` +
      '<RoleId>AROA0000</RoleId><Arn>arn:aws:iam::111111111111:role/r</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>' +
      '</member></Roles></ListRolesResult></ListRolesResponse>';
    const { snapshots, findings } = await collectAll({
      rules: [{ match: queryAction('ListRoles'), answer: { contentType: 'text/xml', body: () => page('A') } }],
    });
    for (const s of snapshots) {
      expect(s.gaps).toContainEqual(
        expect.objectContaining({
          need: 'iam:ListRoles',
          code: 'Malformed',
          error: expect.stringContaining('already'),
        }),
      );
    }
    expect(status(findings, 'EKS.IDENTITY.3', 'payments-eu')).toEqual(['ERROR']);
    expect(proxy!.hits[0]).toBe(2); // one walk per account, cut at the repeat
  });

  it('a walk whose tokens never repeat is cut at collection.maxPages, as a gap', async () => {
    const { snapshots } = await collectAll({
      rules: [
        {
          match: rest('GET', /^\/clusters\/payments-prod\/addons$/),
          answer: { body: (_r, hit) => JSON.stringify({ addons: [], nextToken: `t${hit}` }) },
        },
      ],
      regions: ['us-east-1'],
      collection: { maxPages: 5 },
    });
    expect(cluster(snapshots, 'payments-prod').gaps).toContainEqual(
      expect.objectContaining({ need: 'eks:ListAddons', code: 'Malformed', error: expect.stringContaining('5 pages') }),
    );
    expect(proxy!.hits[0]).toBe(6);
  });

  it('GuardDuty ListDetectors and Organizations ListAccounts stop on a repeated token too', async () => {
    const { snapshots } = await collectAll({
      rules: [{ match: rest('GET', /^\/detector$/), answer: loop({ detectorIds: ['d'], nextToken: 'again' }) }],
      regions: ['us-east-1'],
    });
    expect(cluster(snapshots, 'payments-prod').gaps).toContainEqual(
      expect.objectContaining({ need: 'guardduty:ListDetectors', code: 'Malformed' }),
    );
    await proxy?.close();
    proxy = await startFaultProxy(sim.aws.endpoint, [
      {
        match: jsonTarget('ListAccounts'),
        answer: { contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ Accounts: [], NextToken: 'x' }) },
      },
    ]);
    const client = organizationsClient('us-east-1', sim.callerCredentials, {
      maxAttempts: 1,
      retryBaseDelayMs: 1,
      endpoint: proxy.endpoint,
    });
    await expect(listOrganizationAccounts(client)).rejects.toMatchObject({
      code: 'Malformed',
      message: expect.stringContaining('organizations:ListAccounts'),
    });
    expect(proxy.hits[0]).toBe(2);
  });
});

describe('every call has a timeout and every target a deadline', () => {
  it('a response that never comes costs requestTimeoutMs × maxAttempts, then a Timeout gap', async () => {
    const started = Date.now();
    const { snapshots, findings } = await collectAll({
      rules: [{ match: rest('GET', /^\/clusters\/payments-prod$/), answer: { hang: true } }],
      regions: ['us-east-1'],
      collection: { requestTimeoutMs: 1_000 },
    });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(cluster(snapshots, 'payments-prod').gaps).toContainEqual({
      need: 'eks:DescribeCluster',
      code: 'Timeout',
      error: expect.stringContaining('(after 2 attempts)'),
    });
    expect(status(findings, 'EKS.ENDPOINT.1', 'payments-prod')).toEqual(['ERROR']);
    expect(status(findings, 'EKS.ENDPOINT.1', 'checkout-api')).not.toEqual(['ERROR']);
    expect(proxy!.hits[0]).toBe(2); // the timed-out attempt was retried as transient
  });

  it('a request that timed out once is retried and read', async () => {
    const { snapshots } = await collectAll({
      rules: [{ match: rest('GET', /^\/clusters\/payments-prod$/), answer: { hang: true }, times: 1 }],
      regions: ['us-east-1'],
      collection: { requestTimeoutMs: 1_000 },
    });
    expect(cluster(snapshots, 'payments-prod').gaps).toEqual([]);
    expect(proxy!.hits[0]).toBe(1);
  });

  it('past the target deadline nothing new is called and what was not read is a Timeout gap naming it', async () => {
    const { collector, config } = await collectorWith({
      // DescribeCluster and ListNodegroups (started together) never answer.
      rules: [{ match: rest('GET', /^\/clusters\/[^/]+(\/node-groups)?$/), answer: { hang: true } }],
      regions: ['us-east-1'],
      // Long timeouts: only the deadline can end this.
      collection: { requestTimeoutMs: 60_000 },
      maxAttempts: 8,
    });
    const nodegroupCalls = () => sim.count({ service: 'eks', action: 'DescribeNodegroup', accountId: PROD });
    const before = nodegroupCalls();
    const started = Date.now();
    const deadline = Deadline.after(500);
    const out: TargetCollection = await collector.collect(
      { provider: 'aws', accountId: PROD, region: 'us-east-1' },
      { deadline },
    );
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(out.errors).toEqual([]);
    const snapshots = out.snapshots as EksClusterSnapshot[];
    expect(snapshots.map((s) => s.name).sort()).toEqual(['checkout-api', 'data-pipeline', 'payments-prod']);
    for (const s of snapshots) {
      expect(s.gaps).toContainEqual({
        need: 'eks:DescribeCluster',
        code: 'Timeout',
        error: 'Timeout: the target deadline passed before this was collected',
      });
      expect(s.gaps).toContainEqual(expect.objectContaining({ need: 'eks:ListNodegroups', code: 'Timeout' }));
    }
    // Every call that needs ListNodegroups' answer would have started past the deadline: none did.
    expect(nodegroupCalls()).toBe(before);
    const findings = evaluateSnapshots(snapshots, checks, { now: new Date(), settings: config.checks });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.status === 'ERROR')).toBe(true);
    deadline.dispose();
  });

  it("one target's deadline does not poison the account's shared IAM walk for its other targets", async () => {
    const { collector } = await collectorWith({
      rules: [{ match: queryAction('ListRoles'), answer: { delayMs: 3_000 } }],
      collection: { requestTimeoutMs: 10_000 },
    });
    const short = Deadline.after(1_500);
    const long = Deadline.after(20_000);
    // The hurried target starts the walk; the patient one joins it while it is in flight.
    const hurrying = collector.collect({ provider: 'aws', accountId: PROD, region: 'us-east-1' }, { deadline: short });
    while (proxy!.hits[0] === 0) await new Promise((r) => setTimeout(r, 10));
    const patient = await collector.collect(
      { provider: 'aws', accountId: PROD, region: 'eu-west-1' },
      { deadline: long },
    );
    const hurried = await hurrying;
    short.dispose();
    long.dispose();
    const hurriedGaps = hurried.snapshots.flatMap((s) => s.gaps);
    expect(hurriedGaps).toContainEqual(expect.objectContaining({ need: 'iam:ListRoles', code: 'Timeout' }));
    const patientGaps = patient.snapshots.flatMap((s) => s.gaps);
    expect(patient.snapshots.length).toBeGreaterThan(0);
    expect(patientGaps).toEqual([]);
    expect(proxy!.hits[0]).toBe(1); // one walk, shared
  });
});

describe('response schemas', () => {
  it('the sample fleet passes every schema: no Malformed gap or error anywhere', async () => {
    const { collected, snapshots } = await collectAll({});
    expect(collected.flatMap((c) => c.errors)).toEqual([]);
    expect(snapshots.flatMap((s) => s.gaps).filter((g) => g.code === 'Malformed')).toEqual([]);
  });
});

describe('the Secrets key (KMS) under faults: ERROR, never a false PASS', () => {
  const KEY_CHECKS = checks.filter((c) => c.needs.some((n) => n.startsWith('kms:')));
  const describeKey = jsonTarget('DescribeKey');
  const rotation = jsonTarget('GetKeyRotationStatus');

  it.each<[string, FaultRule, string]>([
    ['an empty DescribeKey answer', { match: describeKey, answer: EMPTY_JSON }, 'kms:DescribeKey'],
    [
      'a DescribeKey that fails every attempt',
      { match: describeKey, answer: { status: 500, body: '{"__type":"KMSInternalException"}' } },
      'kms:DescribeKey',
    ],
    ['an empty GetKeyRotationStatus answer', { match: rotation, answer: EMPTY_JSON }, 'kms:GetKeyRotationStatus'],
  ])('%s', async (_name, rule, need) => {
    const { snapshots, findings } = await collectAll({ rules: [rule], regions: ['us-east-1'] });
    expect(proxy!.hits[0]).toBeGreaterThan(0);
    expect(cluster(snapshots, 'payments-prod').gaps.map((g) => g.need)).toContain(need);
    // Every key check that needs the lost answer says ERROR wherever it was lost; none PASSes.
    const hit = KEY_CHECKS.filter((c) => c.needs.includes(need));
    expect(hit.length).toBeGreaterThan(0);
    for (const s of snapshots.filter((x) => x.gaps.some((g) => g.need === need)))
      for (const c of hit) expect(status(findings, c.id, s.name), `${c.id} ${s.name}`).toEqual(['ERROR']);
  });
});

describe('the IAM authorization (privilege paths) under faults: a gap naming the action, never "no paths"', () => {
  const details = queryAction('GetAccountAuthorizationDetails');
  const xml = (body: string) => ({ contentType: 'text/xml', body });
  const queryError = (code: string, message: string) =>
    xml(
      `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code>` +
        `<Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    );
  const page = (marker: string) =>
    '<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>' +
    `<UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/><IsTruncated>true</IsTruncated><Marker>${marker}</Marker>` +
    '</GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>';

  it.each<[string, FaultRule['answer'], string, string]>([
    [
      'denied',
      { status: 403, ...queryError('AccessDenied', 'not authorized to perform iam:GetAccountAuthorizationDetails') },
      'AccessDenied',
      'AccessDenied',
    ],
    [
      'throttled on every attempt',
      { status: 400, ...queryError('Throttling', 'Rate exceeded') },
      'Throttled',
      'Rate exceeded',
    ],
    [
      'an empty result element',
      xml(
        '<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>',
      ),
      'Malformed',
      'UserDetailList',
    ],
    ['a body cut in the middle', xml(page('A').slice(0, 150)), 'Malformed', ''],
    ['a Marker that repeats', xml(page('A')), 'Malformed', 'already'],
  ])('%s', async (_name, answer, code, says) => {
    const { collected, snapshots, findings } = await collectAll({ rules: [{ match: details, answer }] });
    expect(proxy!.hits[0]).toBeGreaterThan(0);
    // Not a target failure: every cluster is collected, with the gap; nothing is read as an empty authorization.
    expect(collected.flatMap((c) => c.errors)).toEqual([]);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const s of snapshots) {
      expect(s.iamAuthorization).toBeUndefined();
      const gap = s.gaps.find((g) => g.need === 'iam:GetAccountAuthorizationDetails');
      expect(gap, s.name).toMatchObject({ code, error: expect.stringContaining(says) });
    }
    // Checks that do not need it are not touched.
    expect(status(findings, 'EKS.ACCESS.3', 'payments-eu')).toEqual(['FAIL']);
    // Any check that needs it says ERROR wherever the gap is.
    for (const c of checks.filter((x) => x.needs.includes('iam:GetAccountAuthorizationDetails')))
      for (const s of snapshots) expect(status(findings, c.id, s.name), `${c.id} ${s.name}`).toEqual(['ERROR']);
  });

  it('one walk per account, shared by its regions; a fault once then success reads it whole', async () => {
    const { snapshots } = await collectAll({
      rules: [{ match: details, answer: { status: 400, ...queryError('Throttling', 'Rate exceeded') }, times: 1 }],
    });
    for (const s of snapshots) {
      expect(s.gaps.filter((g) => g.need.startsWith('iam:'))).toEqual([]);
      expect(s.iamAuthorization?.accountId).toBe(PROD);
      expect(s.iamAuthorization?.roles.length).toBeGreaterThan(0);
    }
    // Both regions' snapshots share one authorization object.
    expect(new Set(snapshots.map((s) => s.iamAuthorization)).size).toBe(1);
  });

  it('Organizations refused: SCPs are not applied, the note says why, the authorization is still read', async () => {
    const { snapshots } = await collectAll({
      rules: [
        {
          match: jsonTarget('ListParents'),
          answer: {
            status: 400,
            contentType: 'application/x-amz-json-1.1',
            body: '{"__type":"AccessDeniedException","message":"no"}',
          },
        },
      ],
      regions: ['us-east-1'],
    });
    const auth = cluster(snapshots, 'payments-prod').iamAuthorization!;
    expect(auth.serviceControlPolicies).toBeUndefined();
    expect(auth.serviceControlPoliciesNote).toMatch(
      /^SCPs not applied: the scanner's credentials cannot read AWS Organizations/,
    );
    expect(auth.roles.length).toBeGreaterThan(0);
  });
});

describe('one named cluster (a rescan): only ResourceNotFound lets its findings resolve', () => {
  const ARN = `arn:aws:eks:eu-west-1:${PROD}:cluster/ml-training`;
  const awsError = (status: number, type: string, message: string): FaultRule['answer'] => ({
    status,
    body: JSON.stringify({ __type: type, message }),
  });
  const describeIt = (answer: FaultRule['answer']): FaultRule[] => [
    { match: rest('GET', /^\/clusters\/ml-training$/), answer },
  ];

  /** The baseline state: one full scan of the account, shared by the cases (each reconciles a copy of it). */
  let baselineOnce: Promise<ReturnType<typeof reconcile>> | undefined;
  const baselineState = () => {
    baselineOnce ??= collectorWith({}).then(async ({ config, collector }) => {
      const report = await runScan({ collectors: [collector], checks, config });
      await proxy?.close();
      proxy = undefined;
      return reconcile([], report, { now: new Date() });
    });
    return baselineOnce;
  };

  /** The baseline state, then a scan of ml-training only with the faults given. */
  async function rescanWith(rules: FaultRule[]) {
    const baseline = await baselineState();
    const { config, collector } = await collectorWith({ rules });
    const report = await runScan({ collectors: [collector], checks, config, clusters: [parseClusterRef(ARN)] });
    const after = reconcile(baseline.nextState, report, { now: new Date() });
    const mine = baseline.nextState.filter((s) => s.clusterId === ARN && s.status === 'open');
    return { report, after, mine, baseline };
  }

  it.each([
    ['denied', awsError(403, 'AccessDeniedException', 'not authorized to perform eks:DescribeCluster'), 'AccessDenied'],
    ['throttled', awsError(429, 'ThrottlingException', 'Rate exceeded'), 'Throttled'],
    ['malformed', { body: '{}' }, 'Malformed'],
  ])(
    'DescribeCluster %s is an error for the cluster: nothing of it resolves, nothing else changes',
    async (_n, answer, code) => {
      const { report, after, mine, baseline } = await rescanWith(describeIt(answer as FaultRule['answer']));
      expect(report.errors).toEqual([expect.objectContaining({ clusterId: ARN, stage: 'describe-cluster', code })]);
      expect(report.findings).toEqual([]);
      expect(mine.length).toBeGreaterThan(0);
      expect(after.delta.counts).toMatchObject({ new: 0, regressed: 0, resolved: 0, stale: mine.length });
      // Every other cluster's record is the very one the baseline left.
      const others = baseline.nextState.filter((s) => s.clusterId !== ARN);
      for (const s of others) expect(after.nextState.find((x) => x.id === s.id)).toBe(s);
    },
  );

  it('DescribeCluster ResourceNotFound means the cluster is gone: its findings resolve, and only its', async () => {
    const gone = awsError(404, 'ResourceNotFoundException', 'No cluster found for name: ml-training.');
    const { report, after, mine } = await rescanWith(describeIt(gone));
    expect(mine.length).toBeGreaterThan(0);
    expect(report.errors).toEqual([]);
    expect(report.targets).toEqual([expect.objectContaining({ clusterId: ARN, status: 'scanned', clusters: 0 })]);
    expect(after.delta.resolved.map((r) => [r.clusterId, r.reason])).toEqual(
      mine.map(() => [ARN, 'cluster no longer exists']),
    );
    expect(after.delta.counts).toMatchObject({ new: 0, stale: 0 });
  });

  it('reads the cluster by name: no ListClusters call', async () => {
    // Both rules only count (a zero delay forwards the request).
    const { config, collector } = await collectorWith({
      rules: [
        { match: rest('GET', /^\/clusters$/), answer: { delayMs: 0 } },
        { match: rest('GET', /^\/clusters\/ml-training$/), answer: { delayMs: 0 } },
      ],
    });
    const report = await runScan({ collectors: [collector], checks, config, clusters: [parseClusterRef(ARN)] });
    expect(proxy!.hits).toEqual([0, 1]);
    expect(new Set(report.findings.map((f) => f.clusterId))).toEqual(new Set([ARN]));
  });
});

describe('EKS insights under faults: ERROR for the insight checks only, never a false PASS', () => {
  const INSIGHT_CHECKS = checks.filter((c) => c.needs.includes('eks:ListInsights')).map((c) => c.id);
  const listInsights = rest('POST', /^\/clusters\/[^/]+\/insights$/);
  const error = (status: number, type: string) => ({
    status,
    body: JSON.stringify({ __type: type, message: `${type} from the fault proxy` }),
  });

  it.each<[string, FaultRule['answer'], string]>([
    ['denied', error(403, 'AccessDeniedException'), 'AccessDenied'],
    ['throttled on every attempt', error(429, 'ThrottlingException'), 'Throttled'],
    ['malformed (an empty {} answer)', EMPTY_JSON, 'Malformed'],
    [
      'malformed (a page token that repeats)',
      { body: JSON.stringify({ insights: [], nextToken: 'again' }) },
      'Malformed',
    ],
  ])('ListInsights %s', async (_name, answer, code) => {
    const baseline = await collectAll({ regions: ['us-east-1'] });
    const { snapshots, findings } = await collectAll({
      rules: [{ match: listInsights, answer }],
      regions: ['us-east-1'],
    });
    expect(proxy!.hits[0]).toBeGreaterThan(0);
    expect(INSIGHT_CHECKS).toEqual(['EKS.VERSIONS.4', 'EKS.NODES.7']);
    for (const s of snapshots) {
      expect(s.insights).toBeUndefined();
      expect(s.gaps).toContainEqual(expect.objectContaining({ need: 'eks:ListInsights', code }));
      for (const id of INSIGHT_CHECKS) expect(status(findings, id, s.name), `${id} ${s.name}`).toEqual(['ERROR']);
    }
    // Every other check says what it said without the fault.
    const others = (fs: Finding[]) =>
      fs
        .filter((f) => !INSIGHT_CHECKS.includes(f.checkId))
        .map((f) => `${f.checkId} ${f.resourceId} ${f.status}`)
        .sort();
    expect(others(findings)).toEqual(others(baseline.findings));
  });

  it('a listed insight not PASSING whose DescribeInsight fails (even NotFound) is a gap, not a fixed insight', async () => {
    const summary = {
      id: 'f00dcafe-0000-4000-8000-000000000000',
      name: 'Kubelet version skew',
      category: 'UPGRADE_READINESS',
    };
    const { snapshots, findings } = await collectAll({
      rules: [
        {
          match: rest('POST', /^\/clusters\/payments-prod\/insights$/),
          answer: { body: JSON.stringify({ insights: [{ ...summary, insightStatus: { status: 'WARNING' } }] }) },
        },
      ],
      regions: ['us-east-1'],
    });
    expect(cluster(snapshots, 'payments-prod').gaps).toContainEqual(
      expect.objectContaining({
        need: 'eks:DescribeInsight',
        code: 'NotFound',
        error: expect.stringContaining('could not describe: Kubelet version skew'),
      }),
    );
    expect(status(findings, 'EKS.VERSIONS.4', 'payments-prod')).toEqual(['ERROR']);
    expect(status(findings, 'EKS.VERSIONS.4', 'checkout-api')).toEqual(['PASS']);
  });
});

describe('self-managed nodes (one DescribeInstances walk per tag convention for the target) under faults', () => {
  const instancesCall = queryAction('DescribeInstances');
  const xml = (body: string) => ({ contentType: 'text/xml;charset=UTF-8', body });
  const ec2Error = (code: string, message: string) =>
    xml(
      `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
        '<RequestID>r-1</RequestID></Response>',
    );
  const page = (token: string) =>
    '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>' +
    `<reservationSet/><nextToken>${token}</nextToken></DescribeInstancesResponse>`;
  const US_EAST = ['checkout-api', 'data-pipeline', 'payments-prod'];
  const needsInstances = checks.filter((c) => c.needs.includes('ec2:DescribeInstances'));

  // Requests answered, for the target's three clusters: two walks (one per tag convention), whatever their number.
  it.each<[string, FaultRule['answer'], string, string, number, Setup['collection']?]>([
    ['denied', { status: 403, ...ec2Error('UnauthorizedOperation', 'not authorized') }, 'AccessDenied', '', 2],
    [
      'throttled on every attempt',
      { status: 503, ...ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
      'Throttled',
      'Request limit exceeded',
      2 * 2, // maxAttempts 2
    ],
    [
      'an empty answer (no reservationSet)',
      xml('<DescribeInstancesResponse><requestId>r-1</requestId></DescribeInstancesResponse>'),
      'Malformed',
      'Reservations',
      2 * 2, // a malformed answer is retried as transient
    ],
    ['a nextToken that repeats', xml(page('again')), 'Malformed', 'already', 2 * 2],
    // The cap is per walk: maxPages pages and the one past it.
    [
      'tokens that never repeat',
      { body: (_r, hit) => page(`t${hit}`) },
      'Malformed',
      '4 pages',
      2 * 5,
      { maxPages: 4 },
    ],
  ])(
    '%s: a gap on every cluster of the target, ERROR for the node checks, never PASS',
    async (_name, answer, code, says, hits, collection) => {
      const { collected, snapshots, findings } = await collectAll({
        rules: [{ match: instancesCall, answer }],
        regions: ['us-east-1'],
        ...(collection ? { collection } : {}),
      });
      expect(proxy!.hits[0]).toBe(hits);
      expect(collected.flatMap((c) => c.errors)).toEqual([]);
      expect(snapshots.map((s) => s.name).sort()).toEqual(US_EAST);
      expect(needsInstances.length).toBeGreaterThan(0);
      for (const s of snapshots) {
        const gap = s.gaps.find((g) => g.need === 'ec2:DescribeInstances');
        expect(gap, s.name).toMatchObject({ code, error: expect.stringContaining(says) });
        for (const c of needsInstances)
          expect(status(findings, c.id, s.name), `${c.id} ${s.name}`).not.toContain('PASS');
      }
      expect(status(findings, 'EKS.NODES.6', 'payments-prod')).toEqual(['ERROR']);
    },
  );

  it('throttled once per walk, then answered: read whole, no gap', async () => {
    const { snapshots } = await collectAll({
      rules: [
        { match: instancesCall, answer: { status: 503, ...ec2Error('RequestLimitExceeded', 'Slow down') }, times: 2 },
      ],
      regions: ['us-east-1'],
    });
    expect(proxy!.hits[0]).toBe(2);
    expect(snapshots.map((s) => s.name).sort()).toEqual(US_EAST);
    for (const s of snapshots)
      expect(
        s.gaps.filter((g) => g.need.startsWith('ec2:')),
        s.name,
      ).toEqual([]);
  });
});
