import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterRef } from '../../core/cluster-ref.ts';
import { parseConfig } from '../../core/config.ts';
import { Deadline } from '../../core/deadline.ts';
import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import { clusterTarget } from '../../core/target.ts';
import { simGoogleAuthClient } from '../../sim/clients.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { type Fault, type FaultProxy, startFaultProxy } from '../common/fault-proxy.ts';
import { createGcpCollector, GCP_MAX_ATTEMPTS, GCP_NEEDS } from './index.ts';
import { KMS_NEEDS } from './kms.ts';
import { PROJECT_IAM_NEEDS } from './project-iam.ts';

/**
 * Each fault class against the real @google-cloud/container client (REST transport) and Resource Manager through
 * google-auth-library, over loopback: the simulated GKE API behind a fault proxy.
 */

const PROJECT = 'shop-prod-1234';
const TARGET = { provider: 'gcp' as const, accountId: PROJECT, region: '*' };

const spec = parseFleetSpec({
  gcp: {
    projects: [
      {
        id: PROJECT,
        clusters: [
          { name: 'storefront', location: 'europe-west1' },
          // Key health (issue 15): getCryptoKey on the key of databaseEncryption.
          {
            name: 'batch',
            location: 'europe-west1-b',
            databaseEncryption: {
              state: 'ENCRYPTED',
              keyName: `projects/${PROJECT}/locations/europe-west1/keyRings/gke/cryptoKeys/etcd`,
            },
          },
        ],
        customRoles: [{ name: 'gkeReconfigurer', includedPermissions: ['container.clusters.update'] }],
        iamPolicy: {
          bindings: [
            { role: 'roles/owner', members: ['user:lead@shop.example'] },
            { role: 'projects/shop-prod-1234/roles/gkeReconfigurer', members: ['user:ops@shop.example'] },
          ],
        },
      },
    ],
  },
});

const CLUSTERS = /\/clusters$/;
const SERVER_CONFIG = /\/serverConfig$/;
const PROJECTS = /^\/v1\/projects$/;
const IAM_POLICY = /:getIamPolicy$/;
const ROLE = /\/roles\/gkeReconfigurer$/;
const CRYPTO_KEY = /\/cryptoKeys\/etcd$/;

describe('GCP collector under faults (real GKE and Resource Manager clients, simulated API behind a fault proxy)', () => {
  let cloud: SimulatedCloud;
  let proxy: FaultProxy | undefined;
  let fault: (path: string, n: number) => Fault | undefined = () => undefined;

  beforeAll(async () => {
    cloud = await startSimulatedCloud(spec);
    proxy = await startFaultProxy({ upstream: cloud.gcp!.endpoint, fault: ({ path, n }) => fault(path, n) });
  });
  afterAll(async () => {
    await proxy?.close();
    await cloud?.close();
  });
  afterEach(() => {
    fault = () => undefined;
    proxy!.reset();
  });

  const collector = (collection: Record<string, number> = {}, gcp: Record<string, number> = {}) =>
    createGcpCollector(
      parseConfig({
        gcp,
        // Generous for calls without a fault, so a loaded machine does not time them out.
        collection: { requestTimeoutMs: 2_000, connectTimeoutMs: 1_000, maxPages: 50, ...collection },
      }),
      { authClient: simGoogleAuthClient(), endpoint: proxy!.url },
    );
  const on =
    (re: RegExp, f: Fault | ((n: number) => Fault | undefined)) =>
    (path: string, n: number): Fault | undefined =>
      re.test(path) ? (typeof f === 'function' ? f(n) : f) : undefined;

  it('collects everything through the proxy when there is no fault', async () => {
    const { snapshots, errors } = await collector().collect(TARGET);
    expect(errors).toEqual([]);
    expect(snapshots.map((s) => s.name).sort()).toEqual(['batch', 'storefront']);
    for (const s of snapshots) expect(s.gaps).toEqual([]);
    const keyed = snapshots.find((s) => s.name === 'batch') as GkeClusterSnapshot;
    expect(keyed.secretsKey?.cryptoKey?.primary?.state).toBe('ENABLED');
  });

  describe('the Cloud KMS read (issue 15): a fault is a cloudkms gap, never a key read as healthy', () => {
    const keyed = async (gcp: Record<string, number> = { maxAttempts: 2 }) => {
      const { snapshots, errors } = await collector({}, gcp).collect(TARGET);
      expect(errors).toEqual([]);
      return snapshots.find((s) => s.name === 'batch') as GkeClusterSnapshot;
    };

    it.each([
      [
        'denied',
        { status: 403, body: '{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}' },
        'AccessDenied',
      ],
      ['throttled on every attempt', { status: 429 }, 'Throttled'],
      ['an empty body', { body: '{}' }, 'Malformed'],
      [
        'a primary version without its state',
        { body: '{"name":"k","purpose":"ENCRYPT_DECRYPT","primary":{"name":"k/cryptoKeyVersions/1"}}' },
        'Malformed',
      ],
      ['garbage', { body: '<html>502</html>' }, 'Malformed'],
    ] as const)('%s: a %s gap, no key', async (_n, f, code) => {
      fault = on(CRYPTO_KEY, f as Fault);
      const s = await keyed();
      expect(s.secretsKey).toEqual({ keyName: expect.stringContaining('cryptoKeys/etcd') });
      expect(s.gaps).toEqual([expect.objectContaining({ need: KMS_NEEDS.getCryptoKey, code })]);
    });

    it('503 once, then the answer: read, no gap', async () => {
      fault = on(CRYPTO_KEY, (n) => (n === 1 ? { status: 503 } : undefined));
      const s = await keyed();
      expect(s.gaps).toEqual([]);
      expect(s.secretsKey?.cryptoKey?.primary?.state).toBe('ENABLED');
      expect(proxy!.count(CRYPTO_KEY)).toBe(2);
    });

    it('404 is a deleted key (a FAIL of GKE.ENCRYPTION.2), not a gap', async () => {
      fault = on(CRYPTO_KEY, { status: 404, body: '{"error":{"code":404,"message":"gone","status":"NOT_FOUND"}}' });
      const s = await keyed();
      expect(s.gaps).toEqual([]);
      expect(s.secretsKey?.notFound).toBe(true);
    });
  });

  describe('project IAM (issue 13): every fault is a gap or an unresolved role, never an empty policy', () => {
    const denied = {
      status: 403,
      body: JSON.stringify({ error: { code: 403, status: 'PERMISSION_DENIED', message: 'getIamPolicy denied' } }),
    };
    it.each([
      ['denied', denied, 'AccessDenied'],
      ['throttled', { status: 429 }, 'Throttled'],
      ['empty', { body: '{}' }, 'Malformed'],
      ['garbage', { body: 'upstream connect error' }, 'Malformed'],
    ] as const)('a %s getIamPolicy is a gap on every cluster of the project', async (_n, f, code) => {
      fault = on(IAM_POLICY, f as Fault);
      const { snapshots, errors } = await collector({}, { maxAttempts: 2 }).collect(TARGET);
      expect(errors).toEqual([]);
      expect(snapshots).toHaveLength(2);
      for (const s of snapshots as GkeClusterSnapshot[]) {
        expect(s.projectIam).toBeUndefined();
        expect(s.gaps).toContainEqual(expect.objectContaining({ need: PROJECT_IAM_NEEDS.policy, code }));
      }
      // Read once per project, not per cluster (plus the retry of a transient fault).
      expect(proxy!.count(IAM_POLICY)).toBe(code === 'Throttled' ? 2 : 1);
    });

    it.each([
      [
        'denied',
        { status: 403, body: '{"error":{"code":403,"status":"PERMISSION_DENIED","message":"no"}}' },
        'AccessDenied',
      ],
      ['empty', { body: '{}' }, 'Malformed'],
    ] as const)('a %s roles.get leaves the role unresolved, named, never read as harmless', async (_n, f, code) => {
      fault = on(ROLE, f as Fault);
      const { snapshots } = await collector().collect(TARGET);
      for (const s of snapshots as GkeClusterSnapshot[]) {
        expect(s.gaps).toEqual([]);
        expect(s.projectIam?.customRoles).toEqual({});
        expect(s.projectIam?.unresolvedRoles).toEqual([
          { role: 'projects/shop-prod-1234/roles/gkeReconfigurer', error: expect.stringContaining(code) },
        ]);
      }
    });

    it('asks for policy version 3, so conditions come with their bindings', async () => {
      const { snapshots } = await collector().collect(TARGET);
      const s = snapshots[0] as GkeClusterSnapshot;
      expect(s.projectIam?.policy.bindings?.map((b) => b.role)).toEqual([
        'roles/owner',
        'projects/shop-prod-1234/roles/gkeReconfigurer',
      ]);
      expect(s.projectIam?.customRoles['projects/shop-prod-1234/roles/gkeReconfigurer']?.includedPermissions).toEqual([
        'container.clusters.update',
      ]);
    });
  });

  describe('one named cluster (getCluster): only NOT_FOUND says it is gone', () => {
    const ref = parseClusterRef(`projects/${PROJECT}/locations/europe-west1/clusters/storefront`);
    const GET = /\/clusters\/storefront$/;
    const googleError = (status: number, grpc: string) => ({
      status,
      body: JSON.stringify({ error: { code: status, message: grpc, status: grpc } }),
    });

    it('reads the cluster by name, with no list call', async () => {
      const { snapshots, errors } = await collector().collect(clusterTarget(ref));
      expect(errors).toEqual([]);
      expect(snapshots.map((x) => x.name)).toEqual(['storefront']);
      expect(proxy!.count(CLUSTERS)).toBe(0);
    });

    it.each([
      ['denied', googleError(403, 'PERMISSION_DENIED'), 'AccessDenied'],
      ['throttled', googleError(429, 'RESOURCE_EXHAUSTED'), 'Throttled'],
      ['malformed', { body: JSON.stringify({ name: 'storefront' }) }, 'Malformed'],
    ])('%s is an error for the cluster, never "gone"', async (_n, f, code) => {
      fault = on(GET, f as Fault);
      const { snapshots, errors } = await collector({}, { maxAttempts: 2 }).collect(clusterTarget(ref));
      expect(snapshots).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ stage: 'get-cluster', code })]);
    });

    it('NOT_FOUND: gone, no snapshot and no error', async () => {
      const missing = parseClusterRef(`projects/${PROJECT}/locations/europe-west1/clusters/nosuch`);
      expect(await collector().collect(clusterTarget(missing))).toMatchObject({ snapshots: [], errors: [] });
    });
  });

  describe('an empty or incomplete 200 body is never data', () => {
    it('a cluster without its name, location, selfLink or status is a Malformed error, not a cluster', async () => {
      fault = on(CLUSTERS, { body: JSON.stringify({ clusters: [{ name: 'ghost', location: 'europe-west1' }] }) });
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(snapshots).toEqual([]);
      expect(errors).toEqual([
        expect.objectContaining({
          stage: 'list-clusters',
          code: 'Malformed',
          message: expect.stringMatching(/gke:ListClusters.*clusters\.0\.selfLink/),
        }),
      ]);
    });

    it('an empty server config is a Malformed gap on every cluster of the location', async () => {
      fault = on(SERVER_CONFIG, { body: '{}' });
      const { snapshots } = await collector().collect(TARGET);
      expect(snapshots).toHaveLength(2);
      for (const s of snapshots as GkeClusterSnapshot[]) {
        expect(s.serverConfig).toBeUndefined();
        expect(s.gaps).toEqual([
          expect.objectContaining({
            need: GCP_NEEDS.serverConfig,
            code: 'Malformed',
            error: expect.stringContaining('validMasterVersions'),
          }),
        ]);
      }
    });

    it('an empty list answer is a project without clusters: proto3 JSON omits empty lists (documented limit)', async () => {
      fault = on(CLUSTERS, { body: '{}' });
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(snapshots).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('a project entry without its id is a planning error; `{}` is an identity without projects', async () => {
      fault = on(PROJECTS, { body: JSON.stringify({ projects: [{ name: 'x' }] }) });
      const plan = await collector().plan();
      expect(plan.errors).toEqual([
        expect.objectContaining({
          stage: 'list-projects',
          code: 'Malformed',
          message: expect.stringContaining('projectId'),
        }),
      ]);
      fault = on(PROJECTS, { body: '{}' });
      expect(await collector().plan()).toEqual({ targets: [], errors: [] });
    });
  });

  it.each([
    ['truncated', CLUSTERS, '{"clusters": [{"name": "storefront", '],
    ['garbage', CLUSTERS, '<html>502 Bad Gateway</html>'],
    ['empty', CLUSTERS, ''],
  ])('a %s list body is a Malformed error, not retried as an outage', async (_n, re, body) => {
    fault = on(re, { body });
    const { snapshots, errors } = await collector().collect(TARGET);
    expect(snapshots).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Malformed' })]);
    expect(proxy!.count(CLUSTERS)).toBe(1);
  });

  it.each([
    ['truncated', '{"projects": [{"projectId": "shop'],
    ['garbage', '<html>502 Bad Gateway</html>'],
  ])('a %s projects body is a Malformed planning error', async (_n, body) => {
    fault = on(PROJECTS, { body });
    const plan = await collector().plan();
    expect(plan.errors).toEqual([expect.objectContaining({ stage: 'list-projects', code: 'Malformed' })]);
  });

  describe('a page token that repeats ends the walk with an error, never a hang or data', () => {
    // Past 60 requests the proxy refuses, so a walk without the guard ends (with the wrong error) instead of hanging.
    it('the same nextPageToken on every page (A→A)', async () => {
      fault = on(PROJECTS, (n) => (n > 60 ? { status: 400 } : { edit: (j) => ({ ...j, nextPageToken: 'again' }) }));
      const plan = await collector().plan();
      expect(plan.targets).toEqual([]);
      expect(plan.errors).toEqual([
        expect.objectContaining({
          code: 'Malformed',
          message: expect.stringMatching(/crm:ListProjects.*pagination did not terminate/),
        }),
      ]);
      expect(proxy!.count(PROJECTS)).toBe(2);
    });

    it('a new token on every page, beyond maxPages', async () => {
      fault = on(PROJECTS, (n) => (n > 60 ? { status: 400 } : { edit: (j) => ({ ...j, nextPageToken: `t${n}` }) }));
      const plan = await collector({ maxPages: 5 }).plan();
      expect(plan.errors).toEqual([
        expect.objectContaining({ code: 'Malformed', message: expect.stringContaining('more than 5 pages') }),
      ]);
    });
  });

  describe('a response that never comes costs at most timeout × attempts', () => {
    it.each([['before-headers'], ['after-headers']] as const)(
      'GKE hung %s: a Timeout error after every attempt',
      async (hang) => {
        fault = on(CLUSTERS, { hang });
        const started = Date.now();
        const { errors } = await collector({ requestTimeoutMs: 300 }).collect(TARGET);
        expect(errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Timeout' })]);
        expect(proxy!.count(CLUSTERS)).toBe(GCP_MAX_ATTEMPTS);
        // 4 × 300 ms plus backoffs of at most 0.25 + 0.5 + 1 s (and slack for a loaded machine).
        expect(Date.now() - started).toBeLessThan(5_000);
      },
      10_000,
    );

    it('Resource Manager hung: a Timeout planning error after every attempt', async () => {
      fault = on(PROJECTS, { hang: 'before-headers' });
      const plan = await collector({ requestTimeoutMs: 300 }).plan();
      expect(plan.errors).toEqual([expect.objectContaining({ stage: 'list-projects', code: 'Timeout' })]);
      expect(proxy!.count(PROJECTS)).toBe(GCP_MAX_ATTEMPTS);
    }, 10_000);
  });

  it('a server that accepts TCP but never finishes TLS fails on the connect timeout, retried', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = createGcpCollector(
        parseConfig({ gcp: {}, collection: { connectTimeoutMs: 200, requestTimeoutMs: 60_000 } }),
        { authClient: simGoogleAuthClient(), endpoint: `https://127.0.0.1:${(silent.address() as AddressInfo).port}` },
      );
      const started = Date.now();
      const plan = await c.plan();
      const { errors } = await c.collect(TARGET);
      expect(plan.errors).toEqual([expect.objectContaining({ stage: 'list-projects', code: 'Timeout' })]);
      expect(errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Timeout' })]);
      expect(held).toHaveLength(2 * GCP_MAX_ATTEMPTS);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  }, 15_000);

  describe('429 and 5xx are retried', () => {
    it.each([
      ['429', { status: 429 }],
      ['500', { status: 500 }],
      ['503', { status: 503 }],
    ])('GKE %s once, then the answer: collected', async (_n, f) => {
      fault = on(CLUSTERS, (n) => (n === 1 ? (f as Fault) : undefined));
      const { snapshots, errors } = await collector().collect(TARGET);
      expect(errors).toEqual([]);
      expect(snapshots).toHaveLength(2);
      expect(proxy!.count(CLUSTERS)).toBe(2);
    });

    it('Resource Manager 503 once, then the answer: planned', async () => {
      fault = on(PROJECTS, (n) => (n === 1 ? { status: 503 } : undefined));
      const plan = await collector().plan();
      expect(plan.errors).toEqual([]);
      expect(plan.targets.map((t) => t.accountId)).toEqual([PROJECT]);
    });

    it('429 on every attempt: Throttled (not DEADLINE_EXCEEDED) after maxAttempts', async () => {
      fault = on(CLUSTERS, { status: 429 });
      const { errors } = await collector().collect(TARGET);
      expect(errors).toEqual([expect.objectContaining({ code: 'Throttled' })]);
      expect(proxy!.count(CLUSTERS)).toBe(GCP_MAX_ATTEMPTS);
    }, 10_000);

    it('makes as many attempts as gcp.maxAttempts says', async () => {
      fault = on(CLUSTERS, { status: 503 });
      const { errors, snapshots } = await collector({}, { maxAttempts: 2 }).collect(TARGET);
      expect(snapshots).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(proxy!.count(CLUSTERS)).toBe(2);
    }, 10_000);
  });

  describe('the target deadline', () => {
    it('aborts calls in flight and turns what was not collected into Timeout gaps', async () => {
      fault = on(SERVER_CONFIG, { hang: 'before-headers' });
      const deadline = Deadline.after(1_500);
      const started = Date.now();
      const { snapshots, errors } = await collector({ requestTimeoutMs: 60_000 }).collect(TARGET, { deadline });
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(errors).toEqual([]);
      expect(snapshots).toHaveLength(2);
      for (const s of snapshots)
        expect(s.gaps).toEqual([
          expect.objectContaining({
            need: GCP_NEEDS.serverConfig,
            code: 'Timeout',
            error: expect.stringContaining('deadline'),
          }),
        ]);
    }, 10_000);

    it('starts no call once it has passed', async () => {
      const deadline = Deadline.after(0);
      await new Promise((r) => setTimeout(r, 5));
      const { errors } = await collector().collect(TARGET, { deadline });
      expect(errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Timeout' })]);
      expect(proxy!.calls).toEqual([]);
    });
  });
});
