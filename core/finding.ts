import { hash } from 'node:crypto';
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

/**
 * The first 32 hex digits of sha256(`checkId NUL resourceId`), UTF-8. Ids key stored finding state, so the scheme
 * never changes (core/finding.test.ts pins values). The one-shot `hash` gives the same digest as `createHash`
 * without building a Hash object per finding, which made ids a large share of evaluation.
 */
export function findingId(checkId: string, resourceId: string): string {
  return hash('sha256', `${checkId}\u0000${resourceId}`, 'hex').slice(0, 32);
}
