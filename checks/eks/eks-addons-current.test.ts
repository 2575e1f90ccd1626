import { describe, expect, it } from 'vitest';
import { aContext, anAddon, anAddonInfo, anEksCluster, type EksClusterOverrides } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-addons-current.ts';

const withCni = (
  version: string,
  catalogue = ['v1.19.2-eksbuild.1', 'v1.18.6-eksbuild.1', 'v1.16.0-eksbuild.1'],
): EksClusterOverrides => {
  const refs = anEksCluster().references;
  return {
    addons: [anAddon('vpc-cni', version)],
    references: { ...refs, addonVersions: { 'vpc-cni': anAddonInfo('vpc-cni', catalogue) } },
  };
};
const addonArn = (s: { addons: { addonArn?: string }[] }) => s.addons[0]!.addonArn!;

const cases: CheckCase[] = [
  {
    name: 'passes an add-on on the latest compatible version',
    overrides: withCni('v1.19.2-eksbuild.1'),
    status: 'PASS',
    says: ['vpc-cni v1.19.2-eksbuild.1 is healthy and the latest compatible version'],
    resourceId: addonArn,
  },
  {
    name: 'fails an add-on behind the latest compatible version, with both versions and how many between',
    overrides: withCni('v1.16.0-eksbuild.1'),
    status: 'FAIL',
    severity: 'low',
    says: ['vpc-cni v1.16.0-eksbuild.1 is 2 versions behind the latest compatible v1.19.2-eksbuild.1'],
    resourceId: addonArn,
  },
  {
    name: 'compares versions numerically, not as text (v1.9 is older than v1.10)',
    overrides: withCni('v1.9.0-eksbuild.1', ['v1.10.0-eksbuild.1', 'v1.9.0-eksbuild.1']),
    status: 'FAIL',
    says: ['behind the latest compatible v1.10.0-eksbuild.1'],
    resourceId: addonArn,
  },
  {
    name: 'fails at medium an old add-on that is not even listed as compatible with the cluster version',
    overrides: withCni('v1.12.0-eksbuild.1'),
    status: 'FAIL',
    severity: 'medium',
    says: ['not listed as compatible with Kubernetes 1.34'],
    resourceId: addonArn,
  },
  {
    name: 'fails a degraded add-on at medium, quoting its health issue',
    overrides: {
      addons: [
        anAddon('vpc-cni', 'v1.19.2-eksbuild.1', {
          health: { issues: [{ code: 'ConfigurationConflict', message: 'Conflicts found when trying to apply' }] },
        }),
      ],
    },
    status: 'FAIL',
    severity: 'medium',
    says: ['is degraded: 1 health issue (ConfigurationConflict: Conflicts found'],
    resourceId: addonArn,
  },
  {
    name: 'says NOT_APPLICABLE, not PASS, for an add-on DescribeAddonVersions does not list',
    overrides: { addons: [anAddon('vendor-agent', 'v2.0.0')] },
    status: 'NOT_APPLICABLE',
    says: ['lists no version of vendor-agent compatible with Kubernetes 1.34'],
    resourceId: addonArn,
  },
];

describe('EKS.VERSIONS.3 eks-addons-current', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeAddonVersions');
  itErrorsOnGap(check, 'eks:DescribeAddon');

  it('reports each add-on separately', () => {
    const results = check.evaluate(anEksCluster(), aContext());
    expect(results.map((r) => r.evidence?.addonName)).toEqual([
      'vpc-cni',
      'coredns',
      'kube-proxy',
      'eks-pod-identity-agent',
    ]);
    expect(results.every((r) => r.status === 'PASS')).toBe(true);
  });
});
