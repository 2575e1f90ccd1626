/**
 * The check registry: every check, listed explicitly (no filesystem discovery), so esbuild bundles
 * exactly these. Adding a check = one import and one entry here; checks/catalogue.test.ts fails if a
 * check file is left out.
 */
import type { AnyCheck } from '../core/check.ts';
import eksAccessEntriesAuthenticationMode from './eks/eks-access-entries-authentication-mode.ts';
import eksAccessPrincipalsExist from './eks/eks-access-principals-exist.ts';
import eksAwsAuthNoMastersOrAccounts from './eks/eks-aws-auth-no-masters-or-accounts.ts';
import eksClusterAdminsLimited from './eks/eks-cluster-admins-limited.ts';
import eksControlPlaneAuditLogging from './eks/eks-control-plane-audit-logging.ts';
import eksEndpointNotWorldOpen from './eks/eks-endpoint-not-world-open.ts';
import eksEndpointPrivate from './eks/eks-endpoint-private.ts';
import eksIrsaOidcProviderExists from './eks/eks-irsa-oidc-provider-exists.ts';
import eksIrsaTrustScoped from './eks/eks-irsa-trust-scoped.ts';
import eksNoBootstrapCreatorAdmin from './eks/eks-no-bootstrap-creator-admin.ts';
import eksPodIdentityAgentPresent from './eks/eks-pod-identity-agent-present.ts';
import eksPodIdentityPreferred from './eks/eks-pod-identity-preferred.ts';
import eksPodIdentityRoleTrust from './eks/eks-pod-identity-role-trust.ts';
import eksSecretsKmsEncryption from './eks/eks-secrets-kms-encryption.ts';

export const checks: AnyCheck[] = [
  eksEndpointNotWorldOpen,
  eksEndpointPrivate,
  eksSecretsKmsEncryption,
  eksControlPlaneAuditLogging,
  eksAccessEntriesAuthenticationMode,
  eksAwsAuthNoMastersOrAccounts,
  eksClusterAdminsLimited,
  eksNoBootstrapCreatorAdmin,
  eksAccessPrincipalsExist,
  eksPodIdentityAgentPresent,
  eksPodIdentityRoleTrust,
  eksIrsaTrustScoped,
  eksIrsaOidcProviderExists,
  eksPodIdentityPreferred,
];

const byId = new Map(checks.map((c) => [c.id, c]));

export function checkById(id: string): AnyCheck | undefined {
  return byId.get(id);
}
