/**
 * The simulated cloud of bench/fleet-scan.ts, in its own process: the cloud is not the system under test, so its CPU
 * must neither count as the scanner's (CPU per API call) nor compete with it on the scanner's core.
 * Talks to its parent over IPC: `start` → `ready`, `mark` (start counting), `stats`, `close`.
 */
import { parseFleetSpec, type SimCall, type SimOptions, startSimulatedCloud } from '../sim/index.ts';

export type SimRequest =
  | { type: 'start'; spec: unknown; options: SimOptions }
  | { type: 'mark' }
  | { type: 'stats' }
  | { type: 'close' };

export interface SimStats {
  /** Every answer since the mark (Kubernetes API reads included, service `k8s`). */
  calls: number;
  byService: Record<string, { calls: number; throttled: number }>;
  /** Answers per `service:action`. */
  byAction: Record<string, number>;
  throttled: number;
  /** Answers that were not throttled, per bucket (`account/region/service`) of the throttled services. */
  bucketCalls: Record<string, number>;
  /** TCP connections the AWS endpoint accepted since the mark. */
  connections: number;
  awsCalls: number;
  /** CPU time of the simulator process since the mark, ms (user + system, all its threads). */
  cpuMs: number;
}

export type SimReply =
  | { type: 'ready'; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } }
  | { type: 'stats'; stats: SimStats }
  | { type: 'marked' }
  | { type: 'error'; message: string };

const reply = (m: SimReply) => process.send?.(m);
let cloud: Awaited<ReturnType<typeof startSimulatedCloud>> | undefined;
/** Whether a service's calls draw on the throttle's buckets (all services when the option names none). */
let limited: (service: string) => boolean = () => false;
let markCalls = 0;
let markConnections = 0;
let markCpu = process.cpuUsage();

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function stats(calls: readonly SimCall[]): SimStats {
  const out: SimStats = {
    calls: 0,
    byService: {},
    byAction: {},
    throttled: 0,
    bucketCalls: {},
    connections: (cloud?.connections() ?? 0) - markConnections,
    awsCalls: 0,
    cpuMs: cpuMs(process.cpuUsage(markCpu)),
  };
  for (const c of calls) {
    out.calls++;
    if (c.service !== 'k8s') out.awsCalls++;
    out.byAction[`${c.service}:${c.action}`] = (out.byAction[`${c.service}:${c.action}`] ?? 0) + 1;
    out.byService[c.service] ??= { calls: 0, throttled: 0 };
    const s = out.byService[c.service]!;
    s.calls++;
    if (c.throttled) {
      s.throttled++;
      out.throttled++;
    } else if (limited(c.service)) {
      const key = `${c.accountId}/${c.region}/${c.service}`;
      out.bucketCalls[key] = (out.bucketCalls[key] ?? 0) + 1;
    }
  }
  return out;
}

process.on('message', (m: SimRequest) => {
  void (async () => {
    try {
      if (m.type === 'start') {
        cloud = await startSimulatedCloud(parseFleetSpec(m.spec), m.options);
        const t = m.options.throttle;
        const only = t?.services ? new Set(t.services) : undefined;
        limited = (service) => Boolean(t) && service !== 'k8s' && (!only || only.has(service));
        reply({ type: 'ready', endpoint: cloud.aws.endpoint, credentials: cloud.callerCredentials });
      } else if (m.type === 'mark') {
        markCalls = cloud!.calls.length;
        markConnections = cloud!.connections();
        markCpu = process.cpuUsage();
        reply({ type: 'marked' });
      } else if (m.type === 'stats') {
        reply({ type: 'stats', stats: stats(cloud!.calls.slice(markCalls)) });
      } else if (m.type === 'close') {
        await cloud?.close();
        process.exit(0);
      }
    } catch (e) {
      reply({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
