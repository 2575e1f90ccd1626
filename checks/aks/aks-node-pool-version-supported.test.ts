import type { KubernetesVersion } from '@azure/arm-containerservice';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { itEvaluatesPoolCases } from '../lib/cases.ts';
import check from './aks-node-pool-version-supported.ts';
import { type AksClusterOverrides, anAksCluster, TEST_AKS_VERSIONS } from './builders.ts';
import { aPool } from './fixtures.ts';

const pools = (...p: ReturnType<typeof aPool>[]): AksClusterOverrides => ({ cluster: { agentPoolProfiles: p } });

describe('AKS.VERSIONS.2 aks-node-pool-version-supported', () => {
  itEvaluatesPoolCases(check, anAksCluster, [
    {
      name: 'passes a pool on a listed patch',
      overrides: {},
      status: 'PASS',
      says: ['which AKS supports in westeurope'],
    },
    {
      name: 'fails a pool whose minor AKS no longer lists, though the control plane is current',
      overrides: pools(aPool('system', '1.32.6'), aPool('old', '1.28.15')),
      status: 'FAIL',
      says: [
        'Agent pool old runs 1.28.15: AKS no longer supports 1.28 in westeurope (supported: 1.30, 1.31, 1.32, 1.33)',
      ],
    },
    {
      name: 'fails a withdrawn patch of a supported minor, naming the patches offered',
      overrides: pools(aPool('stale', '1.32.4')),
      status: 'FAIL',
      says: ['a patch AKS no longer offers in westeurope (offered for 1.32: 1.32.6)'],
    },
    {
      name: 'fails a pool on a minor listed only for long-term support, on a cluster without it',
      overrides: pools(aPool('lts', '1.30.14')),
      status: 'FAIL',
      says: ["1.30 is only in AKS long-term support, and the cluster's supportPlan is KubernetesOfficial"],
    },
    {
      name: 'passes the same pool on a cluster enrolled in long-term support',
      overrides: { cluster: { supportPlan: 'AKSLongTermSupport', agentPoolProfiles: [aPool('lts', '1.30.14')] } },
      status: 'PASS',
      says: ['1.30.14'],
    },
    {
      name: 'fails a pool on a preview-only version',
      overrides: pools(aPool('next', '1.34.0')),
      status: 'FAIL',
      says: ['which AKS lists only as a preview'],
    },
    {
      name: 'judges a minor alias (orchestratorVersion 1.32, no current patch) on its minor',
      overrides: { cluster: { agentPoolProfiles: [{ name: 'alias', orchestratorVersion: '1.32' }] } },
      status: 'PASS',
      says: ['runs 1.32,'],
    },
    {
      name: 'says ERROR when AKS lists no patch for the minor, rather than pass the patch unseen',
      overrides: {
        kubernetesVersions: TEST_AKS_VERSIONS.map(
          (v): KubernetesVersion => (v.version === '1.32' ? { ...v, patchVersions: {} } : v),
        ),
      },
      status: 'ERROR',
      says: ['AKS listed no patch versions for 1.32'],
    },
    {
      name: 'says ERROR for a pool that reports no version',
      overrides: { cluster: { agentPoolProfiles: [{ name: 'blank' }] } },
      status: 'ERROR',
      says: ['no version reported'],
    },
  ]);

  it('rates a dropped minor high and a withdrawn patch medium', () => {
    const severity = (v: string) => check.evaluate(anAksCluster(pools(aPool('p', v))), aContext())[0]?.severity;
    expect(severity('1.28.15')).toBe('high');
    expect(severity('1.32.4')).toBe('medium');
  });

  it('is ERROR, not PASS, when the supported versions were not collected', () => {
    expect(check.evaluate(anAksCluster({ kubernetesVersions: undefined }), aContext())[0]?.status).toBe('ERROR');
    const s = anAksCluster({
      kubernetesVersions: undefined,
      gaps: [{ need: 'aks:ListKubernetesVersions', error: 'AccessDenied: AuthorizationFailed' }],
    });
    expect(runCheck(check, s, aContext()).map((f) => f.status)).toEqual(['ERROR']);
  });
});
