/** Test-only: table-driven cases for checks that may report per node pool (AKS, GKE). */
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { AnyCheck, CheckResult, EvalContext, ResultStatus } from '../../core/check.ts';
import type { CheckSettingsSchema } from '../../core/config.ts';
import { runCheck } from '../../core/engine.ts';
import type { ClusterSnapshot } from '../../core/snapshot.ts';
import { aContext } from '../eks/builders.ts';

export interface PoolCase<O> {
  /** A sentence: the test's name. */
  name: string;
  overrides: O;
  settings?: z.input<typeof CheckSettingsSchema>;
  /** The verdict on the cluster: FAIL if any result fails, else ERROR if any errs, else PASS (or N/A). */
  status: ResultStatus;
  /** Substrings some result's one-line message must contain (its evidence). */
  says: string[];
}

export function verdict(results: readonly CheckResult[]): ResultStatus {
  for (const s of ['FAIL', 'ERROR', 'PASS'] as const) if (results.some((r) => r.status === s)) return s;
  return 'NOT_APPLICABLE';
}

/** One test per case: the verdict, resource ids under the cluster id, one-line messages with their evidence. */
export function itEvaluatesPoolCases<S extends { id: string }, O>(
  check: { evaluate(s: S, ctx: EvalContext): CheckResult[] },
  build: (o: O) => S,
  cases: PoolCase<O>[],
): void {
  it.each(cases)('$name', ({ overrides, settings, status, says }) => {
    const s = build(overrides);
    const results = check.evaluate(s, aContext(settings));
    expect(results.length).toBeGreaterThan(0);
    expect(verdict(results)).toBe(status);
    for (const r of results) {
      expect(r.resourceId.startsWith(s.id)).toBe(true);
      expect(r.message).not.toContain('\n');
    }
    const text = results.map((r) => r.message).join(' | ');
    for (const t of says) expect(text).toContain(t);
  });
}

/**
 * One test per `[name, overrides, status, says]` row: the check on `build(overrides)`, through the engine (so a gap
 * on a need is ERROR as in a scan), gives `status` with a first message containing `says`.
 */
export function itEvaluatesCases<O>(
  check: AnyCheck,
  build: (o: O) => ClusterSnapshot,
  cases: [name: string, overrides: O, status: ResultStatus, says: string][],
): void {
  it.each(cases)('%s => %s', (_name, overrides, status, says) => {
    const r = runCheck(check, build(overrides), aContext())[0]!;
    expect(r.status).toBe(status);
    expect(r.message).toContain(says);
  });
}
