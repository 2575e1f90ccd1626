import { describe, expect, it } from 'vitest';
import { type AnyCheck, type CheckResult, defineCheck, type EvalContext } from './check.ts';
import { CheckSettingsSchema } from './config.ts';
import { evaluateSnapshots, runCheck } from './engine.ts';
import { findingId } from './finding.ts';
import type { EksClusterSnapshot } from './snapshot.ts';

const ctx: EvalContext = { now: new Date('2026-11-24T00:00:00Z'), settings: CheckSettingsSchema.parse({}) };

function snapshot(overrides: Partial<EksClusterSnapshot> = {}): EksClusterSnapshot {
  const arn = 'arn:aws:eks:us-east-1:111111111111:cluster/alpha';
  return {
    provider: 'aws',
    id: arn,
    arn,
    name: 'alpha',
    accountId: '111111111111',
    region: 'us-east-1',
    collectedAt: '2026-11-24T00:00:00Z',
    cluster: { name: 'alpha', arn },
    nodegroups: [],
    addons: [],
    accessEntries: [],
    podIdentityAssociations: [],
    iam: {},
    oidcProviders: [],
    irsaRoles: [],
    gaps: [],
    references: { versions: { source: 'api', versions: [] }, recommendedReleases: {}, addonVersions: {} },
    launchTemplates: {},
    images: {},
    selfManagedNodes: [],
    guardDuty: { detectors: [] },
    ...overrides,
  };
}

function checkReturning(evaluate: (s: EksClusterSnapshot) => CheckResult[]): AnyCheck {
  return defineCheck({
    id: 'EKS.TEST.1',
    slug: 'eks-test',
    title: 'A test check that returns what it is told',
    provider: 'aws',
    service: 'eks',
    severity: 'high',
    category: 'endpoint',
    needs: ['eks:DescribeCluster'],
    frameworks: {},
    risk: 'Only for testing the engine, no real risk here.',
    remediation: { text: 'Nothing to remediate.' },
    references: ['https://example.com/'],
    severityRationale: 'Arbitrary, for the test.',
    evaluate,
  });
}

describe('runCheck', () => {
  it('turns a gap in what the check needs into ERROR naming the need and the reason, never PASS', () => {
    const check = checkReturning((s) => [{ status: 'PASS', resourceId: s.arn, message: 'fine' }]);
    const s = snapshot({
      gaps: [{ need: 'eks:DescribeCluster', error: 'Throttled: ThrottlingException', code: 'Throttled' }],
    });
    const [f, ...rest] = runCheck(check, s, ctx);
    expect(rest).toHaveLength(0);
    expect(f?.status).toBe('ERROR');
    expect(f?.message).toContain('eks:DescribeCluster: Throttled: ThrottlingException');
  });

  it('ignores gaps in data the check does not need', () => {
    const check = checkReturning((s) => [{ status: 'PASS', resourceId: s.arn, message: 'fine' }]);
    const s = snapshot({ gaps: [{ need: 'eks:ListAddons', error: 'denied' }] });
    expect(runCheck(check, s, ctx).map((f) => f.status)).toEqual(['PASS']);
  });

  it('turns an exception inside a check into ERROR with the message', () => {
    const check = checkReturning(() => {
      throw new TypeError('cannot read properties of undefined');
    });
    const [f] = runCheck(check, snapshot(), ctx);
    expect(f?.status).toBe('ERROR');
    expect(f?.message).toContain('cannot read properties of undefined');
  });

  it('turns an empty result list into NOT_APPLICABLE so no cluster silently lacks a verdict', () => {
    const [f] = runCheck(
      checkReturning(() => []),
      snapshot(),
      ctx,
    );
    expect(f?.status).toBe('NOT_APPLICABLE');
  });

  it('turns a malformed result into ERROR', () => {
    const check = checkReturning(() => [{ status: 'MAYBE' as never, resourceId: '', message: 'x' }]);
    expect(runCheck(check, snapshot(), ctx)[0]?.status).toBe('ERROR');
  });

  it('applies a per-result severity override and otherwise the check severity', () => {
    const check = checkReturning((s) => [
      { status: 'FAIL', resourceId: s.arn, message: 'bad', severity: 'critical' },
      { status: 'FAIL', resourceId: `${s.arn}/ng`, message: 'bad' },
    ]);
    expect(runCheck(check, snapshot(), ctx).map((f) => f.severity)).toEqual(['critical', 'high']);
  });

  it('gives a finding an id that depends only on the check and the resource', () => {
    const check = checkReturning((s) => [{ status: 'FAIL', resourceId: s.arn, message: `at ${Math.random()}` }]);
    const a = runCheck(check, snapshot(), ctx)[0]!;
    const b = runCheck(check, snapshot({ collectedAt: '2027-01-01T00:00:00Z' }), ctx)[0]!;
    expect(a.id).toBe(b.id);
    expect(a.id).toBe(findingId('EKS.TEST.1', 'arn:aws:eks:us-east-1:111111111111:cluster/alpha'));
    expect(a.id).not.toBe(findingId('EKS.TEST.2', 'arn:aws:eks:us-east-1:111111111111:cluster/alpha'));
  });
});

describe('evaluateSnapshots', () => {
  it('runs every check of the snapshot provider on every snapshot', () => {
    const check = checkReturning((s) => [{ status: 'PASS', resourceId: s.arn, message: 'ok' }]);
    const two = [snapshot(), snapshot({ id: 'b', arn: 'b', name: 'beta' })];
    const findings = evaluateSnapshots(two, [check], ctx);
    expect(findings.map((f) => f.clusterName)).toEqual(['alpha', 'beta']);
  });
});
