/**
 * The whole check set on a synthetic fleet (every check's examples, copied into other accounts) must give exactly
 * the findings it gave before evaluation was optimized: per check, a digest of the findings' JSON (ids, messages,
 * evidence, order) is compared with checks/evaluation.golden.json. A deliberate change to a check's output
 * updates the file with `npx vitest run checks/evaluation.test.ts -u`, and the diff shows which checks changed.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exampleSnapshots, syntheticFleet } from '../bench/eval-fleet.ts';
import type { AnyCheck, EvalContext } from '../core/check.ts';
import { CheckSettingsSchema } from '../core/config.ts';
import { evaluateSnapshots, runCheck } from '../core/engine.ts';
import type { Finding } from '../core/finding.ts';
import type { ClusterSnapshot } from '../core/snapshot.ts';
import { checks } from './index.ts';

const ctx: EvalContext = { now: new Date('2026-06-01T12:00:00Z'), settings: CheckSettingsSchema.parse({}) };
// Three copies of each example: the originals and two other accounts.
const fleet = syntheticFleet(exampleSnapshots().length * 3);

/** The engine as first written: each check on each snapshot, one after the other. */
function straightforward(snapshots: readonly ClusterSnapshot[], all: readonly AnyCheck[]): Finding[] {
  const out: Finding[] = [];
  for (const s of snapshots) for (const c of all) if (c.provider === s.provider) out.push(...runCheck(c, s, ctx));
  return out;
}

describe('evaluation of the full check set', () => {
  const findings = evaluateSnapshots(fleet, checks, ctx);

  it('gives the findings each check gave before, byte for byte', async () => {
    const byCheck: Record<string, { findings: number; statuses: Record<string, number>; sha256: string }> = {};
    for (const check of checks) {
      const mine = findings.filter((f) => f.checkId === check.id);
      const statuses: Record<string, number> = {};
      for (const f of mine) statuses[f.status] = (statuses[f.status] ?? 0) + 1;
      const sha256 = createHash('sha256').update(JSON.stringify(mine)).digest('hex');
      byCheck[check.id] = { findings: mine.length, statuses, sha256 };
    }
    const golden = { snapshots: fleet.length, findings: findings.length, byCheck };
    await expect(`${JSON.stringify(golden, null, 2)}\n`).toMatchFileSnapshot('./evaluation.golden.json');
  });

  it('gives the same findings, in the same order, as running each check on each snapshot in turn', () => {
    expect(findings).toEqual(straightforward(fleet, checks));
  });

  it('covers every check and every cloud', () => {
    expect(new Set(findings.map((f) => f.checkId)).size).toBe(checks.length);
    expect(new Set(fleet.map((s) => s.provider))).toEqual(new Set(['aws', 'azure', 'gcp']));
  });
});
