import { describe } from 'vitest';
import { itEvaluatesCases } from '../lib/cases.ts';
import check from './aks-entra-id-integration.ts';
import { anAksCluster } from './builders.ts';

/** API drift (issue 15): the legacy integration is told by its deprecated app ids, not by a missing `managed`. */
describe('AKS.ACCESS.2 aks-entra-id-integration', () => {
  itEvaluatesCases(check, anAksCluster, [
    ['managed: true', {}, 'PASS', 'AKS-managed integration'],
    [
      'managed not sent, no legacy app ids',
      { cluster: { aadProfile: { managed: undefined } } },
      'PASS',
      'managed not sent',
    ],
    [
      'legacy app ids, managed not sent',
      { cluster: { aadProfile: { managed: undefined, serverAppID: 'srv', clientAppID: 'cli' } } },
      'FAIL',
      'aadProfile has serverAppID and clientAppID',
    ],
    // A migrated cluster may still echo its old app id: the current flag decides.
    ['legacy app id beside managed: true', { cluster: { aadProfile: { serverAppID: 'srv' } } }, 'PASS', 'AKS-managed'],
    ['managed: false', { cluster: { aadProfile: { managed: false } } }, 'FAIL', 'aadProfile.managed is false'],
    ['no aadProfile', { cluster: { aadProfile: undefined } }, 'FAIL', 'aadProfile is absent'],
  ]);
});
