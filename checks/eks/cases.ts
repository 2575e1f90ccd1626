/** Test-only: the table-driven good/bad cases every EKS check test runs. */

import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { AnyCheck, CheckResult, EvalContext, ResultStatus } from '../../core/check.ts';
import type { CheckSettingsSchema } from '../../core/config.ts';
import { runCheck } from '../../core/engine.ts';
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import { aContext, anEksCluster, type EksClusterOverrides, evaluateOnce } from './builders.ts';

export interface CheckCase {
  /** A sentence: the test's name. */
  name: string;
  overrides: EksClusterOverrides;
  /** Scan settings for this case, when not the defaults. */
  settings?: z.input<typeof CheckSettingsSchema>;
  status: ResultStatus;
  /** Substrings the one-line message must contain (its evidence). */
  says: string[];
}

/**
 * One test per case: the cluster's single result has the expected status, points at the
 * cluster ARN, and carries its evidence in a one-line message.
 */
export function itEvaluatesCases(
  check: { evaluate(s: EksClusterSnapshot, ctx: EvalContext): CheckResult[] },
  cases: CheckCase[],
): void {
  it.each(cases)('$name', ({ overrides, settings, status, says }) => {
    const s = anEksCluster(overrides);
    const r = evaluateOnce(check, s, aContext(settings));
    expect(r.status).toBe(status);
    expect(r.resourceId).toBe(s.arn);
    expect(r.message).not.toContain('\n');
    for (const text of says) expect(r.message).toContain(text);
  });
}

/** One test per need: the engine turns a gap in any of the check's `needs` into ERROR naming it, never PASS. */
export function itErrorsOnEachGap(check: AnyCheck): void {
  it.each(check.needs)('yields ERROR, not PASS, when %s could not be collected', (need) => {
    const s = anEksCluster({ gaps: [{ need, code: 'AccessDenied', error: 'AccessDenied: denied' }] });
    const findings = runCheck(check, s, aContext());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'ERROR', checkId: check.id });
    expect(findings[0]?.message).toContain(`${need}: AccessDenied: denied`);
  });
}
