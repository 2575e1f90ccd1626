import type { ClusterRef } from './cluster-ref.ts';
import { type FinalizeDeps, type FinalizeResult, finalizeScan } from './finalize.ts';
import { runScan, type ScanDeps } from './scan.ts';

/** What a scoped scan needs: the scan's (collectors, checks, config) and the publish stage's (state, notifiers). */
export interface ScanClustersDeps extends Omit<ScanDeps, 'clusters'>, Omit<FinalizeDeps, 'now'> {}

/**
 * Scans the named clusters and reconciles only them: the entry point of every change-driven rescan (`scan --cluster`,
 * the rescan function of the AWS event path, an Azure or GCP event feeding `POST /scans {clusters}`).
 *
 * Each cluster is read by name (DescribeCluster, ManagedClusters.get, getCluster), never by listing its account. Only
 * a not-found answer resolves a cluster's findings; any other failure leaves them open and stale. Every other stored
 * finding is left exactly as it was. A commit that races another scan is reconciled again on fresh state
 * (`reconcileWithStore`), so neither scan loses its update and no finding is alerted twice.
 */
export async function scanClusters(refs: readonly ClusterRef[], deps: ScanClustersDeps): Promise<FinalizeResult> {
  if (refs.length === 0) throw new Error('scanClusters needs at least one cluster');
  const report = await runScan({ ...deps, clusters: refs, trigger: deps.trigger ?? 'rescan' });
  return finalizeScan(report, { ...deps, now: (deps.clock ?? (() => new Date()))() });
}
