import { createHash } from 'node:crypto';
import type { Category, ResultStatus } from './check.ts';
import type { FindingLifecycle } from './lifecycle.ts';
import type { Severity } from './severity.ts';
import type { Provider } from './snapshot.ts';

/** A check result with identity: the unit that reports, state and alerts speak of. */
export interface Finding {
  /** hash(checkId, resourceId): identical across scans for the same check on the same resource. */
  id: string;
  checkId: string;
  title: string;
  category: Category;
  severity: Severity;
  status: ResultStatus;
  provider: Provider;
  accountId: string;
  region: string;
  clusterName: string;
  clusterId: string;
  resourceId: string;
  message: string;
  evidence: Record<string, unknown>;
  /**
   * Set by reconcile on a finding that fails, or failed before: new, regressed, persisting or resolved,
   * first and last seen, stale and suppressed marks. Absent on results that never failed.
   */
  lifecycle?: FindingLifecycle;
}

export function findingId(checkId: string, resourceId: string): string {
  return createHash('sha256').update(`${checkId}\u0000${resourceId}`).digest('hex').slice(0, 32);
}
