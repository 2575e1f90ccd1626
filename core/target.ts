import type { ClusterRef } from './cluster-ref.ts';
import type { Deadline } from './deadline.ts';
import type { FailureCode } from './errors.ts';
import type { ClusterSnapshot, Provider } from './snapshot.ts';

/**
 * One unit of collection: an AWS account × region, an Azure subscription, a GCP project; or, with `cluster`, one named
 * cluster of it (a change-driven rescan): then the collector reads that cluster only, never the account's list.
 */
export interface Target {
  provider: Provider;
  accountId: string;
  region: string;
  cluster?: ClusterRef;
}

/** A failure that cost the scan a whole target, or a stage of it. Reported in `errors`; never a PASS. */
export interface TargetError {
  provider: Provider;
  accountId: string;
  /** `*` when the failure came before regions were known (e.g. AssumeRole denied). */
  region: string;
  /** What was being done: assume-role, describe-regions, list-clusters, ... */
  stage: string;
  code: FailureCode;
  message: string;
  /** Set when the target was one cluster: the failure costs that cluster only, not its region. */
  clusterId?: string;
}

export interface TargetCollection {
  target: Target;
  snapshots: ClusterSnapshot[];
  errors: TargetError[];
}

export interface TargetPlan {
  targets: Target[];
  /** Accounts that could not even be planned (denied, unreachable): scanned nothing, reported. */
  errors: TargetError[];
}

/**
 * The port a cloud implements (collectors/aws, later azure and gcp). The core never
 * imports a collector: the CLI and the Lambda handlers wire one in.
 */
export interface Collector {
  provider: Provider;
  plan(): Promise<TargetPlan>;
  /**
   * Never throws for a cloud failure: what could not be read becomes gaps or errors. Calls give `deadline.signal`
   * to the SDK (abortSignal) and make no new call once it has passed; what was not collected by then is a gap
   * with code `Timeout`.
   */
  collect(target: Target, options?: CollectOptions): Promise<TargetCollection>;
}

export interface CollectOptions {
  /** When this target's collection must end (CLI: `collection.targetTimeoutMs`; Lambda: its remaining time). */
  deadline?: Deadline;
}

export function targetKey(t: Pick<Target, 'provider' | 'accountId' | 'region'>): string {
  return `${t.provider}/${t.accountId}/${t.region}`;
}

/** The target of one named cluster: its account and region (`*` for Azure, whose ids name no location). */
export function clusterTarget(ref: ClusterRef): Target {
  const region = ref.provider === 'aws' ? ref.region : ref.provider === 'gcp' ? ref.location : '*';
  return { provider: ref.provider, accountId: ref.accountId, region, cluster: ref };
}
