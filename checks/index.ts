/**
 * The check registry: every check, listed explicitly (no filesystem discovery), so esbuild bundles
 * exactly these. Adding a check = one import and one entry here; checks/catalogue.test.ts fails if a
 * check file is left out.
 */
import type { AnyCheck } from '../core/check.ts';
import eksAddonsCurrent from './eks/eks-addons-current.ts';
import eksControlPlaneAuditLogging from './eks/eks-control-plane-audit-logging.ts';
import eksCustomAmiAge from './eks/eks-custom-ami-age.ts';
import eksDeletionProtectionProduction from './eks/eks-deletion-protection-production.ts';
import eksEndpointNotWorldOpen from './eks/eks-endpoint-not-world-open.ts';
import eksEndpointPrivate from './eks/eks-endpoint-private.ts';
import eksExtendedSupportCost from './eks/eks-extended-support-cost.ts';
import eksGuarddutyEksProtection from './eks/eks-guardduty-eks-protection.ts';
import eksNodeImdsRestricted from './eks/eks-node-imds-restricted.ts';
import eksNodegroupNotAl2 from './eks/eks-nodegroup-not-al2.ts';
import eksNodegroupReleaseCurrent from './eks/eks-nodegroup-release-current.ts';
import eksNodegroupSshRestricted from './eks/eks-nodegroup-ssh-restricted.ts';
import eksNodegroupVersionSkew from './eks/eks-nodegroup-version-skew.ts';
import eksSecretsKmsEncryption from './eks/eks-secrets-kms-encryption.ts';
import eksVersionSupported from './eks/eks-version-supported.ts';

export const checks: AnyCheck[] = [
  eksEndpointNotWorldOpen,
  eksEndpointPrivate,
  eksSecretsKmsEncryption,
  eksControlPlaneAuditLogging,
  // nodes and versions (issue 4)
  eksVersionSupported,
  eksExtendedSupportCost,
  eksAddonsCurrent,
  eksNodegroupNotAl2,
  eksNodegroupReleaseCurrent,
  eksCustomAmiAge,
  eksNodegroupVersionSkew,
  eksNodegroupSshRestricted,
  eksNodeImdsRestricted,
  eksDeletionProtectionProduction,
  eksGuarddutyEksProtection,
];

const byId = new Map(checks.map((c) => [c.id, c]));

export function checkById(id: string): AnyCheck | undefined {
  return byId.get(id);
}
