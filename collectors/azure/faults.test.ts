import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterRef } from '../../core/cluster-ref.ts';
import { parseConfig } from '../../core/config.ts';
import { Deadline } from '../../core/deadline.ts';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import { clusterTarget } from '../../core/target.ts';
import { armTls } from '../../sim/azure/server.ts';
import { simAzureCredential } from '../../sim/clients.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { type Fault, type FaultProxy, startFaultProxy } from '../common/fault-proxy.ts';
import { AZURE_NEEDS, createAzureCollector } from './index.ts';
import { KEYVAULT_NEEDS } from './keyvault.ts';
import { ROLE_ASSIGNMENT_NEEDS } from './role-assignments.ts';

/**
 * Each fault class against the real @azure/arm-* clients over loopback: the simulated ARM behind a fault proxy.
 * A fault never becomes data: it is a gap or a target error with its code, within timeout × attempts.
 */

const SUB = '11111111-1111-4111-8111-111111111111';
const TARGET = { provider: 'azure' as const, accountId: SUB, region: '*' };

const spec = parseFleetSpec({
  azure: {
    subscriptions: [
      {
        id: SUB,
        clusters: [
          {
            name: 'payments',
            location: 'westeurope',
            diagnosticSettings: [
              { name: 'audit', workspaceId: '/w', logs: [{ category: 'kube-audit', enabled: true }] },
            ],
          },
          // Key health (issue 15): the vault is found by listing the subscription's vaults, then the key version read.
          {
            name: 'web',
            location: 'westeurope',
            properties: {
              securityProfile: {
                azureKeyVaultKms: {
                  enabled: true,
                  keyId: 'https://kv-keyed.vault.azure.net/keys/etcd/0123456789abcdef0123456789abcdef',
                },
              },
            },
          },
        ],
      },
    ],
  },
});

const LIST = /\/managedClusters$/i;
const SUBSCRIPTIONS = /^\/subscriptions$/;
const UPGRADE = /\/managedClusters\/payments\/agentPools\/[^/]+\/upgradeProfiles\/default$/i;
const VERSIONS = /\/kubernetesVersions$/i;
const DIAGNOSTICS = /\/diagnosticSettings$/i;
const ROLE_ASSIGNMENTS = /\/providers\/Microsoft\.Authorization\/roleAssignments$/i;
const ROLE_DEFINITION = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/[^/]+$/i;
const VAULTS = /\/providers\/Microsoft\.KeyVault\/vaults$/i;
const KEY_VERSION = /\/vaults\/kv-keyed\/keys\/etcd\/versions\/[^/]+$/i;

describe('Azure collector under faults (real ARM clients, simulated ARM behind a fault proxy)', () => {
  let cloud: SimulatedCloud;
  let proxy: FaultProxy | undefined;
  let fault: (path: string, n: number) => Fault | undefined = () => undefined;

  beforeAll(async () => {
    // Page size 1: every list has a nextLink.
    cloud = await startSimulatedCloud(spec, { maxPageSize: 1 });
    proxy = await startFaultProxy({
      upstream: cloud.azure!.endpoint,
      tls: await armTls(),
      ca: cloud.azure!.ca,
      fault: ({ path, n }) => fault(path, n),
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await cloud?.close();
  });
  afterEach(() => {
    fault = () => undefined;
    proxy!.reset();
  });

  const collector = (collection: Record<string, number> = {}, maxAttempts = 2) =>
    createAzureCollector(
      parseConfig({
        azure: { maxAttempts },
        // Generous for calls without a fault, so a loaded machine does not time them out.
        collection: { requestTimeoutMs: 2_000, connectTimeoutMs: 1_000, maxPages: 50, ...collection },
      }),
      { credential: simAzureCredential(), endpoint: proxy!.url, ca: cloud.azure!.ca },
    );
  const on =
    (re: RegExp, f: Fault | ((n: number) => Fault | undefined)) =>
    (path: string, n: number): Fault | undefined =>
      re.test(path) ? (typeof f === 'function' ? f(n) : f) : undefined;

  it('collects everything through the proxy when there is no fault', async () => {
    const { snapshots, errors } = await collector().collect(TARGET);
    expect(errors).toEqual([]);
    expect(snapshots.map((s) => s.name).sort()).toEqual(['payments', 'web']);
    for (const s of snapshots) expect(s.gaps).toEqual([]);
    expect(proxy!.count(LIST)).toBe(2); // two pages, the second through the rewritten nextLink
    const keyed = snapshots.find((s) => s.name === 'web') as AksClusterSnapshot;
    expect(keyed.secretsKey?.key?.attributes?.enabled).toBe(true);
  });

  describe('the Key Vault reads (issue 15): a fault is a keyvault gap, never a key read as healthy', () => {
    const keyed = async (c = collector()) => {
      const { snapshots, errors } = await c.collect(TARGET);
      expect(errors).toEqual([]);
      return snapshots.find((s) => s.name === 'web') as AksClusterSnapshot;
    };

    it.each([
      [
        'vault list denied',
        VAULTS,
        { status: 403, body: '{"error":{"code":"AuthorizationFailed","message":"no"}}' },
        KEYVAULT_NEEDS.listVaults,
        'AccessDenied',
      ],
      ['vault list throttled on every attempt', VAULTS, { status: 429 }, KEYVAULT_NEEDS.listVaults, 'Throttled'],
      ['vault list malformed', VAULTS, { body: '{}' }, KEYVAULT_NEEDS.listVaults, 'Malformed'],
      ['key version denied', KEY_VERSION, { status: 403 }, KEYVAULT_NEEDS.getKey, 'AccessDenied'],
      [
        'key version without attributes.enabled',
        KEY_VERSION,
        { body: '{"id":"/x","name":"v","properties":{"attributes":{}}}' },
        KEYVAULT_NEEDS.getKey,
        'Malformed',
      ],
      ['key version garbage', KEY_VERSION, { body: '<html>502</html>' }, KEYVAULT_NEEDS.getKey, 'Malformed'],
      ['key version 500 on every attempt', KEY_VERSION, { status: 500 }, KEYVAULT_NEEDS.getKey, 'Unknown'],
    ] as const)('%s: a %s gap, no key', async (_n, re, f, need, code) => {
      fault = on(re, f as Fault);
      const s = await keyed();
      expect(s.secretsKey?.key).toBeUndefined();
      expect(s.secretsKey?.notFound).toBeUndefined();
      expect(s.gaps).toEqual([expect.objectContaining({ need, code })]);
    });

    it('429 once on the key, then the answer: read, no gap', async () => {
      fault = on(KEY_VERSION, (n) => (n === 1 ? { status: 429 } : undefined));
      const s = await keyed();
      expect(s.gaps).toEqual([]);
      expect(s.secretsKey?.key?.attributes?.enabled).toBe(true);
      expect(proxy!.count(KEY_VERSION)).toBe(2);
    });

    it('404 on the key version is a deleted key (a FAIL of AKS.ENCRYPTION.2), not a gap', async () => {
      fault = on(KEY_VERSION, { status: 404, body: '{"error":{"code":"NotFound","message":"gone"}}' });
      const s = await keyed();
      expect(s.gaps).toEqual([]);
      expect(s.secretsKey?.notFound).toBe('key');
    });

    it('a vault list whose nextLink repeats ends with a Malformed gap', async () => {
      fault = on(VAULTS, (n) =>
        n > 60
          ? { status: 400 }
          : {
              edit: (j) => ({
                ...j,
                nextLink: `${proxy!.url}/subscriptions/${SUB}/providers/Microsoft.KeyVault/vaults?api-version=2026-02-01&%24skipToken=0`,
              }),
            },
      );
      const s = await keyed();
      expect(s.gaps).toEqual([
        expect.objectContaining({
          need: KEYVAULT_NEEDS.listVaults,
          code: 'Malformed',
          error: expect.stringContaining('pagination did not terminate'),
        }),
      ]);
    });
  });

  describe('one named cluster (ManagedClusters.get): only a resource not found says it is gone', () => {
    const ref = parseClusterRef(
      `/subscriptions/${SUB}/resourceGroups/rg-payments/providers/Microsoft.ContainerService/managedClusters/payments`,
    );
    const GET = /\/managedClusters\/payments$/i;
    const target = clusterTarget(ref);
    const armError = (status: number, code: string) => ({
      status,
      body: JSON.stringify({ error: { code, message: code } }),
    });

    it('reads the cluster by name, with no list call', async () => {
      const { snapshots, errors } = await collector().collect(target);
      expect(errors).toEqual([]);
      expect(snapshots.map((x) => x.name)).toEqual(['payments']);
      expect(proxy!.count(LIST)).toBe(0);
    });

    it.each([
      ['denied', armError(403, 'AuthorizationFailed'), 'AccessDenied'],
      ['throttled', armError(429, 'TooManyRequests'), 'Throttled'],
      ['a missing subscription', armError(404, 'SubscriptionNotFound'), 'NotFound'],
      ['malformed', { body: '{}' }, 'Malformed'],
    ])('%s is an error for the cluster, never "gone"', async (_n, f, code) => {
      fault = on(GET, f as Fault);
      const { snapshots, errors } = await collector().collect(target);
      expect(snapshots).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ stage: 'get-cluster', code })]);
    });

    it('ResourceNotFound: gone, no snapshot and no error', async () => {
      const missing = clusterTarget(
        parseClusterRef(
          `/subscriptions/${SUB}/resourceGroups/rg-payments/providers/Microsoft.ContainerService/managedClusters/nosuch`,
        ),
      );
      expect(await collector().collect(missing)).toMatchObject({ snapshots: [], errors: [] });
    });
  });

  describe('an empty 200 body is never data', () => {
    it('a managedClusters page without `value` is a Malformed target error, not "no clusters"', async () => {
      fault = on(LIST, { body: '{}' });
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(snapshots).toEqual([]);
      expect(errors).toEqual([
        expect.objectContaining({
          stage: 'list-clusters',
          code: 'Malformed',
          message: expect.stringMatching(/aks:ListManagedClusters.*value/),
        }),
      ]);
    });

    it.each([
      ['agent pool upgrade profile', UPGRADE, AZURE_NEEDS.agentPoolUpgradeProfile, 'properties'],
      ['Kubernetes versions', VERSIONS, AZURE_NEEDS.kubernetesVersions, 'values'],
      ['diagnostic settings', DIAGNOSTICS, AZURE_NEEDS.diagnosticSettings, 'value'],
    ])('an empty %s answer is a Malformed gap naming the missing field', async (_n, re, need, field) => {
      fault = on(re, { body: '{}' });
      const { snapshots } = await collector().collect(TARGET);
      const payments = snapshots.find((s) => s.name === 'payments') as AksClusterSnapshot;
      expect(payments.gaps).toContainEqual(
        expect.objectContaining({ need, code: 'Malformed', error: expect.stringContaining(field) }),
      );
    });

    it('an empty subscriptions list answer is a planning error, not zero subscriptions', async () => {
      fault = on(SUBSCRIPTIONS, { body: '{}' });
      const plan = await collector().plan();
      expect(plan.targets).toEqual([]);
      expect(plan.errors).toEqual([
        expect.objectContaining({
          stage: 'list-subscriptions',
          code: 'Malformed',
          message: expect.stringContaining('value'),
        }),
      ]);
    });

    it('a cluster without its properties is refused, not read as a cluster with nothing configured', async () => {
      fault = on(LIST, {
        body: JSON.stringify({
          value: [{ id: '/subscriptions/x/resourceGroups/rg/providers/p/managedClusters/c', name: 'c', location: 'l' }],
        }),
      });
      const { errors } = await collector().collect(TARGET);
      expect(errors).toEqual([
        expect.objectContaining({ code: 'Malformed', message: expect.stringContaining('properties') }),
      ]);
    });
  });

  it.each([
    ['truncated', '{"value": [{"id": "/subscriptions/'],
    ['garbage', '<html>502 Bad Gateway</html>'],
  ])('a %s body is a Malformed error naming the action', async (_n, body) => {
    fault = on(LIST, { body });
    const { snapshots, errors } = await collector().collect(TARGET);
    expect(snapshots).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'Malformed',
        message: expect.stringMatching(/aks:ListManagedClusters.*not JSON/),
      }),
    ]);
  });

  describe('role assignments and role definitions (issue 13): every fault is a gap, never an empty list', () => {
    const denied = {
      status: 403,
      body: JSON.stringify({ error: { code: 'AuthorizationFailed', message: 'no roleAssignments/read' } }),
    };
    it.each([
      ['denied assignments', ROLE_ASSIGNMENTS, denied, ROLE_ASSIGNMENT_NEEDS.roleAssignments, 'AccessDenied'],
      ['throttled assignments', ROLE_ASSIGNMENTS, { status: 429 }, ROLE_ASSIGNMENT_NEEDS.roleAssignments, 'Throttled'],
      ['empty assignments', ROLE_ASSIGNMENTS, { body: '{}' }, ROLE_ASSIGNMENT_NEEDS.roleAssignments, 'Malformed'],
      [
        'an assignment without its principal',
        ROLE_ASSIGNMENTS,
        { edit: () => ({ value: [{ id: '/x', name: 'x', properties: { scope: '/' } }] }) },
        ROLE_ASSIGNMENT_NEEDS.roleAssignments,
        'Malformed',
      ],
      ['denied definition', ROLE_DEFINITION, denied, ROLE_ASSIGNMENT_NEEDS.roleDefinitions, 'AccessDenied'],
      [
        'garbage definition',
        ROLE_DEFINITION,
        { body: '<html>502</html>' },
        ROLE_ASSIGNMENT_NEEDS.roleDefinitions,
        'Malformed',
      ],
      [
        'a definition without dataActions',
        ROLE_DEFINITION,
        {
          edit: (j: Record<string, unknown>) => ({
            ...j,
            properties: { roleName: 'Owner', permissions: [{ actions: ['*'], notActions: [] }] },
          }),
        },
        ROLE_ASSIGNMENT_NEEDS.roleDefinitions,
        'Malformed',
      ],
    ] as const)('%s: a gap, and no role assignments in the snapshot', async (_n, re, f, need, code) => {
      fault = on(re, f as Fault);
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(errors).toEqual([]);
      for (const s of snapshots as AksClusterSnapshot[]) {
        expect(s.roleAssignments).toBeUndefined();
        expect(s.gaps).toContainEqual(expect.objectContaining({ need, code }));
      }
    });

    it('a repeating nextLink on the assignments is a Malformed gap, not a loop', async () => {
      fault = on(ROLE_ASSIGNMENTS, (n) =>
        n > 60
          ? { status: 400 }
          : {
              edit: (j) => ({
                ...j,
                nextLink: `${proxy!.url}/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&%24skipToken=9`,
              }),
            },
      );
      const { snapshots } = await collector().collect(TARGET);
      for (const s of snapshots as AksClusterSnapshot[])
        expect(s.gaps).toContainEqual(
          expect.objectContaining({
            need: ROLE_ASSIGNMENT_NEEDS.roleAssignments,
            code: 'Malformed',
            error: expect.stringContaining('pagination did not terminate'),
          }),
        );
    });

    it('asks for the assignments at and above the cluster (atScope()), and reads each definition once', async () => {
      const { snapshots } = await collector().collect(TARGET);
      const lists = proxy!.calls.filter((c) => ROLE_ASSIGNMENTS.test(c.url.split('?')[0]!));
      expect(lists.length).toBeGreaterThanOrEqual(2);
      for (const c of lists) expect(decodeURIComponent(c.url)).toContain('$filter=atScope()');
      expect(proxy!.count(ROLE_DEFINITION)).toBe(1); // the default: one Owner, the same definition for both clusters
      for (const s of snapshots as AksClusterSnapshot[]) expect(s.roleAssignments?.assignments).toHaveLength(1);
    });
  });

  describe('a nextLink that repeats ends the walk with an error, never a hang or data', () => {
    // Every page points at the same next page (A→A); past 60 requests the proxy refuses, so a walk without the
    // guard ends (with the wrong error) instead of hanging the test.
    it('managedClusters', async () => {
      fault = on(LIST, (n) =>
        n > 60
          ? { status: 400 }
          : {
              edit: (j) => ({
                ...j,
                nextLink: `${proxy!.url}/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-01-01&%24skipToken=1`,
              }),
            },
      );
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(snapshots).toEqual([]);
      expect(errors).toEqual([
        expect.objectContaining({
          code: 'Malformed',
          message: expect.stringMatching(/aks:ListManagedClusters.*pagination did not terminate/),
        }),
      ]);
      expect(proxy!.count(LIST)).toBe(2);
    });

    it('subscriptions', async () => {
      fault = on(SUBSCRIPTIONS, (n) =>
        n > 60
          ? { status: 400 }
          : { edit: (j) => ({ ...j, nextLink: `${proxy!.url}/subscriptions?api-version=2022-12-01&%24skipToken=7` }) },
      );
      const plan = await collector().plan();
      expect(plan.errors).toEqual([
        expect.objectContaining({
          code: 'Malformed',
          message: expect.stringContaining('pagination did not terminate'),
        }),
      ]);
    });

    it('every token new but more pages than maxPages', async () => {
      fault = on(LIST, (n) =>
        n > 60
          ? { status: 400 }
          : {
              edit: (j) => ({
                ...j,
                nextLink: `${proxy!.url}/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-01-01&%24skipToken=0&page=${n}`,
              }),
            },
      );
      const { errors } = await collector({ maxPages: 5 }).collect(TARGET);
      expect(errors).toEqual([
        expect.objectContaining({ code: 'Malformed', message: expect.stringContaining('more than 5 pages') }),
      ]);
      expect(proxy!.count(LIST)).toBe(6);
    });
  });

  describe('a response that never comes costs at most timeout × attempts', () => {
    it.each([['before-headers'], ['after-headers']] as const)(
      'hung %s: a Timeout error after every attempt',
      async (hang) => {
        fault = on(LIST, { hang });
        const started = Date.now();
        const { errors } = await collector({ requestTimeoutMs: 300 }, 3).collect(TARGET);
        expect(errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Timeout' })]);
        expect(proxy!.count(LIST)).toBe(3);
        // 3 × 300 ms plus two backoffs of at most 0.5 s and 1 s (and slack for a loaded machine).
        expect(Date.now() - started).toBeLessThan(4_500);
      },
      10_000,
    );

    it('a hung per-cluster read is a Timeout gap; the cluster and the other reads are kept', async () => {
      fault = on(UPGRADE, { hang: 'before-headers' });
      const { snapshots, errors } = await collector({ requestTimeoutMs: 500 }).collect(TARGET);
      expect(errors).toEqual([]);
      expect(snapshots).toHaveLength(2);
      const payments = snapshots.find((s) => s.name === 'payments') as AksClusterSnapshot;
      expect(payments.gaps).toContainEqual(
        expect.objectContaining({ need: AZURE_NEEDS.agentPoolUpgradeProfile, code: 'Timeout' }),
      );
      expect(payments.agentPoolUpgradeProfiles).toEqual({});
    }, 10_000);

    it('a server that accepts TCP but never finishes TLS fails on the connect timeout, retried', async () => {
      const held: net.Socket[] = [];
      const silent = net.createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const c = createAzureCollector(
          parseConfig({ azure: { maxAttempts: 2 }, collection: { connectTimeoutMs: 200, requestTimeoutMs: 60_000 } }),
          {
            credential: simAzureCredential(),
            endpoint: `https://127.0.0.1:${(silent.address() as AddressInfo).port}`,
            ca: cloud.azure!.ca,
          },
        );
        const started = Date.now();
        const plan = await c.plan();
        expect(plan.errors).toEqual([expect.objectContaining({ stage: 'list-subscriptions', code: 'Timeout' })]);
        expect(held).toHaveLength(2);
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        for (const s of held) s.destroy();
        silent.close();
      }
    }, 10_000);
  });

  describe('429 and 5xx are retried, Retry-After honoured', () => {
    it.each([
      ['429 without Retry-After', { status: 429 }],
      ['429 with Retry-After', { status: 429, headers: { 'retry-after': '1' } }],
      ['500', { status: 500 }],
      ['503', { status: 503 }],
    ])('%s once, then the answer: collected', async (_n, f) => {
      fault = on(LIST, (n) => (n === 1 ? (f as Fault) : undefined));
      const started = Date.now();
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(errors).toEqual([]);
      expect(snapshots).toHaveLength(2);
      expect(proxy!.count(LIST)).toBe(3);
      if ('headers' in f) expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    });

    it('a Retry-After beyond a minute is not waited for: Throttled now', async () => {
      fault = on(LIST, { status: 429, headers: { 'retry-after': '3600' } });
      const started = Date.now();
      const { errors } = await collector().collect(TARGET);
      expect(errors).toEqual([expect.objectContaining({ code: 'Throttled' })]);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('429 on every attempt: Throttled after maxAttempts', async () => {
      fault = on(LIST, { status: 429 });
      const { errors } = await collector({}, 3).collect(TARGET);
      expect(errors).toEqual([expect.objectContaining({ code: 'Throttled' })]);
      expect(proxy!.count(LIST)).toBe(3);
    });
  });

  describe('the target deadline', () => {
    it('aborts calls in flight and turns what was not collected into Timeout gaps', async () => {
      fault = on(UPGRADE, { hang: 'before-headers' });
      const deadline = Deadline.after(1_500);
      const started = Date.now();
      const { snapshots, errors } = await collector({ requestTimeoutMs: 60_000 }).collect(TARGET, { deadline });
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(errors).toEqual([]);
      const payments = snapshots.find((s) => s.name === 'payments') as AksClusterSnapshot;
      expect(payments.gaps).toContainEqual(
        expect.objectContaining({
          need: AZURE_NEEDS.agentPoolUpgradeProfile,
          code: 'Timeout',
          error: expect.stringContaining('deadline'),
        }),
      );
      // Whatever else the deadline cut short (a loaded machine) is a Timeout gap too, never data.
      for (const s of snapshots) for (const g of s.gaps) expect(g.code).toBe('Timeout');
    }, 10_000);

    it('starts no call once it has passed', async () => {
      const deadline = Deadline.after(0);
      await new Promise((r) => setTimeout(r, 5));
      let tokens = 0;
      const c = createAzureCollector(parseConfig({ azure: {} }), {
        credential: {
          getToken: async () => {
            tokens += 1;
            return simAzureCredential().getToken('');
          },
        },
        endpoint: proxy!.url,
        ca: cloud.azure!.ca,
      });
      const { errors } = await c.collect(TARGET, { deadline });
      expect(errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Timeout' })]);
      expect(proxy!.calls).toEqual([]);
      // Not even a token is asked for.
      expect(tokens).toBe(0);
    });

    it('cuts a retry wait short', async () => {
      fault = on(LIST, { status: 429, headers: { 'retry-after': '30' } });
      const deadline = Deadline.after(500);
      const started = Date.now();
      const { errors } = await collector().collect(TARGET, { deadline });
      expect(errors).toEqual([expect.objectContaining({ code: 'Timeout' })]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(proxy!.count(LIST)).toBe(1);
    }, 10_000);
  });
});
