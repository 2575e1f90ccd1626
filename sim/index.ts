import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { IdentityStore } from './aws/identity.ts';
import { createAwsHandler, type SimCall } from './aws/router.ts';
import { TokenBuckets } from './aws/throttle.ts';
import { resolveAzure, type SimAzure } from './azure/fleet.ts';
import { keyVaultRoutes, resolveKeyVaults } from './azure/keyvault.ts';
import { armTls, createArmHandler } from './azure/server.ts';
import { FaultInjector, type FaultPlan } from './faults.ts';
import { resolveFleet, type SimFleet } from './fleet.ts';
import { resolveGcp, type SimGcp } from './gcp/fleet.ts';
import { kmsRoutes } from './gcp/kms.ts';
import { createGkeHandler } from './gcp/server.ts';
import { startKubernetesApis } from './kubernetes.ts';
import { type FleetSpec, loadFleetSpec } from './spec.ts';

export type { SimCall } from './aws/router.ts';
export type { FaultCloud, FaultKind, FaultPlan, FaultRule, InjectedFault } from './faults.ts';
export { FAULT_KINDS, FaultInjector } from './faults.ts';
export type { SimAccount, SimCaller, SimCluster, SimFleet } from './fleet.ts';
export { resolveFleet } from './fleet.ts';
export type { FleetSpec, FleetSpecInput } from './spec.ts';
export { loadFleetSpec, parseFleetSpec } from './spec.ts';

/** The sample fleet behind `kubeposture scan --sample`. */
export const SAMPLE_FLEET_PATH = fileURLToPath(new URL('./fleets/sample.yaml', import.meta.url));

export function loadSampleFleet(): Promise<FleetSpec> {
  return loadFleetSpec(SAMPLE_FLEET_PATH);
}

export interface SimOptions {
  /** Added to every response, in milliseconds. */
  latencyMs?: number;
  /**
   * A token bucket per account + region + service, `burst` deep, refilled continuously at
   * `ratePerSecond`. An empty bucket answers the service's throttling error (no Retry-After).
   * `services` limits it to some signing names (`['eks']`); default all.
   */
  throttle?: { ratePerSecond: number; burst: number; services?: string[] };
  /** Accounts whose AssumeRole is refused, in addition to the spec's `denyAssumeRole`. */
  deniedAccounts?: string[];
  /** Accounts Organizations ListAccounts reports as SUSPENDED (the organization is the caller's account plus the spec's). */
  suspendedAccounts?: string[];
  /** Caps list page sizes (default 100, the EKS maximum), so tests exercise nextToken and ARM's nextLink. */
  maxPageSize?: number;
  /** Anchors the spec's relative times (`now-200d`); default: the real clock at start. */
  now?: Date;
  /** Azure subscriptions refused (403 AuthorizationFailed), in addition to the spec's `denied`. */
  deniedSubscriptions?: string[];
  /**
   * Faults injected by seed and rate in front of every endpoint (sim/faults.ts, "Fault injection" in sim/README.md):
   * `{ seed, rules: [{ kind, rate, cloud?, service?, action?, accountId?, except?, slowMs?, ... }] }`.
   * Changeable while running through `cloud.faults`.
   */
  faults?: FaultPlan;
}

/** Azure Resource Manager on https://127.0.0.1 with its own self-signed CA (ARM SDKs refuse bearer tokens over http). */
export interface SimAzureEndpoint {
  endpoint: string;
  /** PEM of the CA that signed the server certificate: give it to the client as `tlsOptions.ca`. */
  ca: string;
  tenantId: string;
  state: SimAzure;
}

/** The GKE REST API (and Cloud Resource Manager `projects.list`) on http://127.0.0.1. */
export interface SimGcpEndpoint {
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  port: number;
  state: SimGcp;
}

export interface SimulatedCloud {
  aws: { endpoint: string };
  /** Served only when the spec has an `azure` section. */
  azure?: SimAzureEndpoint;
  /** Served only when the spec has a `gcp` section. */
  gcp?: SimGcpEndpoint;
  /** The static keys of the spec's caller (an IAM user in `caller.accountId`). */
  callerCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Env for a child process / the SDK's standard mechanisms: AWS_ENDPOINT_URL, keys, AWS_REGION. */
  env: Record<string, string>;
  /**
   * Credentials of a session of `roleName` in the caller's account, as Lambda hands a function its
   * execution role's: requests signed with them are that role's (`sim/aws/s3.ts` checks policies by role ARN).
   */
  roleCredentials(roleName: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Every request answered, in order (a faulted one carries `fault`; hung and reset ones have status 0). */
  calls: SimCall[];
  /** The live fault layer: `set(plan)`, `clear()`, `injected`, `count(filter)`, `releaseHung()`. */
  faults: FaultInjector;
  /** How many calls match every given field of `filter`. */
  count(filter: Partial<SimCall>): number;
  /** TCP connections the AWS endpoint accepted so far (with `calls`: how well clients reuse connections). */
  connections(): number;
  spec: FleetSpec;
  /** What is being served; live, so a test may change a cluster between scans. */
  fleet: SimFleet;
  close(): Promise<void>;
}

/** Starts the simulated cloud: one HTTP server on 127.0.0.1 (ephemeral port) serving every AWS service. */
export async function startSimulatedCloud(spec: FleetSpec, options: SimOptions = {}): Promise<SimulatedCloud> {
  const maxPageSize = options.maxPageSize ?? 100;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) throw new RangeError('maxPageSize must be an integer >= 1');
  const latencyMs = options.latencyMs ?? 0;
  if (!(latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');

  const faults = new FaultInjector(options.faults);
  const fleet = resolveFleet(spec, options.now);
  const identities = new IdentityStore(fleet.caller, spec.caller);
  const calls: SimCall[] = [];
  const handler = createAwsHandler({
    fleet,
    identities,
    options: {
      latencyMs,
      maxPageSize,
      deniedAccounts: new Set(options.deniedAccounts ?? []),
      suspendedAccounts: new Set(options.suspendedAccounts ?? []),
    },
    ...(options.throttle
      ? {
          throttle: {
            buckets: new TokenBuckets(options.throttle.ratePerSecond, options.throttle.burst),
            ...(options.throttle.services ? { services: new Set(options.throttle.services) } : {}),
          },
        }
      : {}),
    record: (c) => calls.push(c),
    faults,
  });

  // Before the AWS endpoint opens: DescribeCluster must already return each cluster's API endpoint and CA.
  const simNow = options.now;
  const kubernetes = await startKubernetesApis(
    fleet,
    identities,
    (c) => calls.push(c),
    () => simNow ?? new Date(),
    faults,
  );
  const servers: Server[] = [];
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => {
    connections++;
  });
  let port: number;
  try {
    port = await listen(server, servers);
  } catch (e) {
    await kubernetes.close();
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}`;

  let azure: SimAzureEndpoint | undefined;
  if (spec.azure) {
    const state = resolveAzure(spec.azure);
    const tls = await armTls();
    let base = '';
    const arm = createHttpsServer(
      { cert: tls.cert, key: tls.key },
      createArmHandler({
        azure: state,
        base: () => base,
        maxPageSize,
        latencyMs,
        deniedSubscriptions: new Set((options.deniedSubscriptions ?? []).map((id) => id.toLowerCase())),
        record: (c) => calls.push(c),
        faults,
        keyVaults: (page) =>
          keyVaultRoutes(
            resolveKeyVaults(state, spec.azure?.keyVaults ?? [], simNow ?? new Date()),
            state.tenantId,
            page,
          ),
      }) as RequestListener,
    );
    base = `https://127.0.0.1:${await listen(arm as unknown as Server, servers)}`;
    azure = { endpoint: base, ca: tls.cert, tenantId: state.tenantId, state };
  }
  let gcp: SimGcpEndpoint | undefined;
  if (spec.gcp) {
    const state = resolveGcp(spec.gcp);
    const gke = createServer(
      createGkeHandler({
        gcp: state,
        latencyMs,
        record: (c) => calls.push(c),
        faults,
        kms: kmsRoutes(state, spec.gcp.kmsKeys, simNow ?? new Date()),
      }),
    );
    const gkePort = await listen(gke, servers);
    gcp = { endpoint: `http://127.0.0.1:${gkePort}`, port: gkePort, state };
  }
  const { accessKeyId, secretAccessKey } = identities.caller;

  return {
    aws: { endpoint },
    ...(azure ? { azure } : {}),
    ...(gcp ? { gcp } : {}),
    callerCredentials: { accessKeyId, secretAccessKey },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    roleCredentials(roleName) {
      const accountId = fleet.caller.accountId;
      const p = identities.issue(`arn:aws:iam::${accountId}:role/${roleName}`, accountId, roleName, roleName, 43_200);
      return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken! };
    },
    calls,
    faults,
    count(filter) {
      const want = Object.entries(filter).filter(([, v]) => v !== undefined) as [keyof SimCall, unknown][];
      return calls.filter((c) => want.every(([k, v]) => c[k] === v)).length;
    },
    connections: () => connections,
    spec,
    fleet,
    async close() {
      faults.close();
      await Promise.all([
        kubernetes.close(),
        ...servers.map(
          (srv) =>
            new Promise<void>((resolve, reject) => {
              srv.close((e) => (e ? reject(e) : resolve()));
              srv.closeAllConnections();
            }),
        ),
      ]);
    },
  };
}

/** Listens on an ephemeral loopback port; returns it, and remembers the server for close(). */
async function listen(server: Server, all: Server[]): Promise<number> {
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  all.push(server);
  return (server.address() as AddressInfo).port;
}
