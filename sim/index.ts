import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { IdentityStore } from './aws/identity.ts';
import { createAwsHandler, type SimCall } from './aws/router.ts';
import { TokenBuckets } from './aws/throttle.ts';
import { resolveFleet, type SimFleet } from './fleet.ts';
import { type FleetSpec, loadFleetSpec } from './spec.ts';

export type { SimCall } from './aws/router.ts';
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
  /** Caps list page sizes (default 100, the EKS maximum), so tests exercise nextToken. */
  maxPageSize?: number;
  /** Anchors the spec's relative times (`now-200d`); default: the real clock at start. */
  now?: Date;
}

export interface SimulatedCloud {
  aws: { endpoint: string };
  /** The static keys of the spec's caller (an IAM user in `caller.accountId`). */
  callerCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Env for a child process / the SDK's standard mechanisms: AWS_ENDPOINT_URL, keys, AWS_REGION. */
  env: Record<string, string>;
  /** Every request answered, in order. */
  calls: SimCall[];
  /** How many calls match every given field of `filter`. */
  count(filter: Partial<SimCall>): number;
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

  const fleet = resolveFleet(spec, options.now);
  const identities = new IdentityStore(fleet.caller, spec.caller);
  const calls: SimCall[] = [];
  const handler = createAwsHandler({
    fleet,
    identities,
    options: { latencyMs, maxPageSize, deniedAccounts: new Set(options.deniedAccounts ?? []) },
    ...(options.throttle
      ? {
          throttle: {
            buckets: new TokenBuckets(options.throttle.ratePerSecond, options.throttle.burst),
            ...(options.throttle.services ? { services: new Set(options.throttle.services) } : {}),
          },
        }
      : {}),
    record: (c) => calls.push(c),
  });

  const server = createServer(handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const { accessKeyId, secretAccessKey } = identities.caller;

  return {
    aws: { endpoint },
    callerCredentials: { accessKeyId, secretAccessKey },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    calls,
    count(filter) {
      const want = Object.entries(filter).filter(([, v]) => v !== undefined) as [keyof SimCall, unknown][];
      return calls.filter((c) => want.every(([k, v]) => c[k] === v)).length;
    },
    spec,
    fleet,
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
