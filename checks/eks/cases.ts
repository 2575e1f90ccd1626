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
  /** The result's severity, when it differs from the check's (results may raise or lower it). */
  severity?: string;
  /** The resource the result is about; default the cluster ARN. */
  resourceId?: (s: EksClusterSnapshot) => string;
}

/**
 * One test per case: the cluster's single result has the expected status (and severity, when
 * given), points at the cluster ARN (or the case's resource), and carries its evidence in a
 * one-line message.
 */
export function itEvaluatesCases(
  check: { evaluate(s: EksClusterSnapshot, ctx: EvalContext): CheckResult[] },
  cases: CheckCase[],
): void {
  it.each(cases)('$name', ({ overrides, settings, status, says, severity, resourceId }) => {
    const s = anEksCluster(overrides);
    const r = evaluateOnce(check, s, aContext(settings));
    expect(r.status).toBe(status);
    expect(r.resourceId).toBe(resourceId ? resourceId(s) : s.arn);
    if (severity) expect(r.severity).toBe(severity);
    expect(r.message).not.toContain('\n');
    for (const text of says) expect(r.message).toContain(text);
  });
}

/** The engine turns a collection gap on `need` into one ERROR that names it: never a PASS on missing data. */
export function itErrorsOnGap(check: AnyCheck, need: string): void {
  it(`says ERROR, naming ${need}, when ${need} could not be collected`, () => {
    const s = anEksCluster({ gaps: [{ need, code: 'AccessDenied', error: 'AccessDenied: not authorized' }] });
    const findings = runCheck(check, s, aContext());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'ERROR', checkId: check.id });
    expect(findings[0]?.message).toContain(`${need}: AccessDenied`);
  });
}

/** `itErrorsOnGap` for every one of the check's `needs`. */
export function itErrorsOnEachGap(check: AnyCheck): void {
  for (const need of check.needs) itErrorsOnGap(check, need);
}
