/** Edge cases of the AKS checks beyond the catalogue's pass/fail examples: evidence, ERROR on missing data. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { itEvaluatesPoolCases } from '../lib/cases.ts';
import endpoint from './aks-api-server-not-world-open.ts';
import audit from './aks-kube-audit-diagnostic-setting.ts';
import rbac from './aks-kubernetes-rbac-enabled.ts';
import version from './aks-kubernetes-version-supported.ts';
import nodeImage from './aks-node-image-current.ts';
import kms from './aks-secrets-key-vault-kms.ts';
import { type AksClusterOverrides, anAksCluster, LATEST_NODE_IMAGE } from './builders.ts';

describe('AKS.ENDPOINT.1 aks-api-server-not-world-open', () => {
  itEvaluatesPoolCases(endpoint, anAksCluster, [
    { name: 'passes a private cluster', overrides: {}, status: 'PASS', says: ['private'] },
    {
      name: 'fails a public API server whose authorized ranges include ::/0',
      overrides: {
        cluster: {
          apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: ['203.0.113.0/24', '::/0'] },
        },
      },
      status: 'FAIL',
      says: ['::/0'],
    },
    {
      name: 'fails a public API server with no authorized ranges',
      overrides: { cluster: { apiServerAccessProfile: { enablePrivateCluster: false } } },
      status: 'FAIL',
      says: ['authorizedIPRanges is empty'],
    },
  ] satisfies { name: string; overrides: AksClusterOverrides; status: 'PASS' | 'FAIL'; says: string[] }[]);
});

describe('AKS.ACCESS.4 aks-kubernetes-rbac-enabled', () => {
  it('reports ERROR, not PASS, when enableRBAC is not reported', () => {
    const [r] = rbac.evaluate(anAksCluster({ cluster: { enableRbac: undefined } }), aContext());
    expect(r?.status).toBe('ERROR');
    expect(r?.message).toContain('enableRBAC is missing');
  });
});

describe('AKS.ENCRYPTION.1 aks-secrets-key-vault-kms', () => {
  it('does not count a disk encryption set as secrets encryption, and says so', () => {
    const s = anAksCluster({
      cluster: { securityProfile: { azureKeyVaultKms: { enabled: false } }, diskEncryptionSetID: '/des/1' },
    });
    const [r] = kms.evaluate(s, aContext());
    expect(r?.status).toBe('FAIL');
    expect(r?.message).toContain('protects node disks, not etcd');
  });
});

describe('AKS.LOGGING.1 aks-kube-audit-diagnostic-setting', () => {
  it('fails a kube-audit setting that has no destination', () => {
    const [r] = audit.evaluate(
      anAksCluster({ diagnosticSettings: [{ name: 'nowhere', logs: [{ category: 'kube-audit', enabled: true }] }] }),
      aContext(),
    );
    expect(r?.status).toBe('FAIL');
  });

  it('yields ERROR through the engine when diagnostic settings could not be read', () => {
    const s = anAksCluster({
      diagnosticSettings: undefined,
      gaps: [{ need: 'monitor:ListDiagnosticSettings', error: 'AccessDenied: AuthorizationFailed' }],
    });
    const [f] = runCheck(audit, s, aContext());
    expect(f).toMatchObject({ status: 'ERROR', checkId: 'AKS.LOGGING.1' });
    expect(f?.message).toContain('monitor:ListDiagnosticSettings: AccessDenied');
  });
});

describe('AKS.NODES.1 aks-node-image-current', () => {
  it('reports each pool on its own resource id, and ERROR for a pool whose latest image is unknown', () => {
    const s = anAksCluster({
      cluster: {
        agentPoolProfiles: [
          { name: 'system', currentOrchestratorVersion: '1.32.6', nodeImageVersion: LATEST_NODE_IMAGE },
          {
            name: 'gpu',
            currentOrchestratorVersion: '1.32.6',
            nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202401.01.0',
          },
        ],
      },
    });
    delete s.agentPoolUpgradeProfiles.gpu;
    const results = nodeImage.evaluate(s, aContext());
    expect(results.map((r) => [r.resourceId.split('/').pop(), r.status])).toEqual([
      ['system', 'PASS'],
      ['gpu', 'ERROR'],
    ]);
  });
});

describe('AKS.VERSIONS.1 aks-kubernetes-version-supported', () => {
  it('lists the supported versions when a cluster is past support', () => {
    const [r] = version.evaluate(anAksCluster({ cluster: { currentKubernetesVersion: '1.27.9' } }), aContext());
    expect(r?.status).toBe('FAIL');
    expect(r?.message).toContain('supported: 1.30, 1.31, 1.32, 1.33');
  });
});
