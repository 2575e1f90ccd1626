/**
 * The check registry: every check, listed explicitly (no filesystem discovery), so esbuild bundles
 * exactly these. Adding a check = one import and one entry here; checks/catalogue.test.ts fails if a
 * check file is left out.
 */
import type { AnyCheck } from '../core/check.ts';
import aksApiServerNotWorldOpen from './aks/aks-api-server-not-world-open.ts';
import aksAzureRbac from './aks/aks-azure-rbac.ts';
import aksClusterAdminExternalPrincipals from './aks/aks-cluster-admin-external-principals.ts';
import aksClusterAdminPrincipals from './aks/aks-cluster-admin-principals.ts';
import aksEntraIdIntegration from './aks/aks-entra-id-integration.ts';
import aksKubeAuditDiagnosticSetting from './aks/aks-kube-audit-diagnostic-setting.ts';
import aksKubernetesRbacEnabled from './aks/aks-kubernetes-rbac-enabled.ts';
import aksKubernetesVersionSupported from './aks/aks-kubernetes-version-supported.ts';
import aksLocalAccountsDisabled from './aks/aks-local-accounts-disabled.ts';
import aksNoPodManagedIdentity from './aks/aks-no-pod-managed-identity.ts';
import aksNodeImageCurrent from './aks/aks-node-image-current.ts';
import aksNodeOsUpgradeChannel from './aks/aks-node-os-upgrade-channel.ts';
import aksNodePoolVersionSupported from './aks/aks-node-pool-version-supported.ts';
import aksSecretsKeyExpiry from './aks/aks-secrets-key-expiry.ts';
import aksSecretsKeyUsable from './aks/aks-secrets-key-usable.ts';
import aksSecretsKeyVaultKms from './aks/aks-secrets-key-vault-kms.ts';
import aksSecretsKeyVaultNetwork from './aks/aks-secrets-key-vault-network.ts';
import aksWorkloadIdentity from './aks/aks-workload-identity.ts';
import eksAccessEntriesAuthenticationMode from './eks/eks-access-entries-authentication-mode.ts';
import eksAccessPrincipalsExist from './eks/eks-access-principals-exist.ts';
import eksAddonsCurrent from './eks/eks-addons-current.ts';
import eksAwsAuthNoMastersOrAccounts from './eks/eks-aws-auth-no-masters-or-accounts.ts';
import eksClusterAccessGrantPaths from './eks/eks-cluster-access-grant-paths.ts';
import eksClusterAdminAssumePaths from './eks/eks-cluster-admin-assume-paths.ts';
import eksClusterAdminsLimited from './eks/eks-cluster-admins-limited.ts';
import eksConfigurationInsightsPassing from './eks/eks-configuration-insights-passing.ts';
import eksControlPlaneAuditLogging from './eks/eks-control-plane-audit-logging.ts';
import eksCustomAmiAge from './eks/eks-custom-ami-age.ts';
import eksDeletionProtectionProduction from './eks/eks-deletion-protection-production.ts';
import eksEndpointNotWorldOpen from './eks/eks-endpoint-not-world-open.ts';
import eksEndpointPrivate from './eks/eks-endpoint-private.ts';
import eksExtendedSupportCost from './eks/eks-extended-support-cost.ts';
import eksGuarddutyEksProtection from './eks/eks-guardduty-eks-protection.ts';
import eksIrsaOidcProviderExists from './eks/eks-irsa-oidc-provider-exists.ts';
import eksIrsaTrustScoped from './eks/eks-irsa-trust-scoped.ts';
import eksNoBootstrapCreatorAdmin from './eks/eks-no-bootstrap-creator-admin.ts';
import eksNodeImdsRestricted from './eks/eks-node-imds-restricted.ts';
import eksNodeRolePodPaths from './eks/eks-node-role-pod-paths.ts';
import eksNodegroupNotAl2 from './eks/eks-nodegroup-not-al2.ts';
import eksNodegroupReleaseCurrent from './eks/eks-nodegroup-release-current.ts';
import eksNodegroupSshRestricted from './eks/eks-nodegroup-ssh-restricted.ts';
import eksNodegroupVersionSkew from './eks/eks-nodegroup-version-skew.ts';
import eksPodIdentityAgentPresent from './eks/eks-pod-identity-agent-present.ts';
import eksPodIdentityPassrolePaths from './eks/eks-pod-identity-passrole-paths.ts';
import eksPodIdentityPreferred from './eks/eks-pod-identity-preferred.ts';
import eksPodIdentityRoleTrust from './eks/eks-pod-identity-role-trust.ts';
import eksPodRolePrivilegePaths from './eks/eks-pod-role-privilege-paths.ts';
import eksSecretsKeyRotation from './eks/eks-secrets-key-rotation.ts';
import eksSecretsKeySameAccount from './eks/eks-secrets-key-same-account.ts';
import eksSecretsKeyUsable from './eks/eks-secrets-key-usable.ts';
import eksSecretsKmsEncryption from './eks/eks-secrets-kms-encryption.ts';
import eksUpgradeInsightsPassing from './eks/eks-upgrade-insights-passing.ts';
import eksVersionSupported from './eks/eks-version-supported.ts';
import gkeClusterAdminExternalPrincipals from './gke/gke-cluster-admin-external-principals.ts';
import gkeClusterAdminPrincipals from './gke/gke-cluster-admin-principals.ts';
import gkeControlPlaneLogging from './gke/gke-control-plane-logging.ts';
import gkeControlPlaneNotWorldOpen from './gke/gke-control-plane-not-world-open.ts';
import gkeDnsEndpointInternal from './gke/gke-dns-endpoint-internal.ts';
import gkeKubernetesVersionSupported from './gke/gke-kubernetes-version-supported.ts';
import gkeLegacyAbacDisabled from './gke/gke-legacy-abac-disabled.ts';
import gkeNoStaticCredentials from './gke/gke-no-static-credentials.ts';
import gkeNodeAutoUpgrade from './gke/gke-node-auto-upgrade.ts';
import gkeNodeImageCosContainerd from './gke/gke-node-image-cos-containerd.ts';
import gkeNodeVersionOffered from './gke/gke-node-version-offered.ts';
import gkeNodeVersionSkew from './gke/gke-node-version-skew.ts';
import gkeNodesNotDefaultServiceAccount from './gke/gke-nodes-not-default-service-account.ts';
import gkeReleaseChannel from './gke/gke-release-channel.ts';
import gkeSecretsCloudKms from './gke/gke-secrets-cloud-kms.ts';
import gkeSecretsKeyRotation from './gke/gke-secrets-key-rotation.ts';
import gkeSecretsKeySameProject from './gke/gke-secrets-key-same-project.ts';
import gkeSecretsKeyUsable from './gke/gke-secrets-key-usable.ts';
import gkeShieldedNodesSecureBoot from './gke/gke-shielded-nodes-secure-boot.ts';
import gkeWorkloadIdentity from './gke/gke-workload-identity.ts';

export const checks: AnyCheck[] = [
  eksEndpointNotWorldOpen,
  eksEndpointPrivate,
  eksSecretsKmsEncryption,
  eksSecretsKeyUsable,
  eksSecretsKeyRotation,
  eksSecretsKeySameAccount,
  eksControlPlaneAuditLogging,
  // access and identity (issue 3)
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
  // privilege paths (issue 13)
  eksClusterAccessGrantPaths,
  eksClusterAdminAssumePaths,
  eksPodRolePrivilegePaths,
  eksNodeRolePodPaths,
  eksPodIdentityPassrolePaths,
  // upgrade and configuration insights (issue 15)
  eksUpgradeInsightsPassing,
  eksConfigurationInsightsPassing,
  aksApiServerNotWorldOpen,
  aksAzureRbac,
  aksClusterAdminExternalPrincipals,
  aksClusterAdminPrincipals,
  aksEntraIdIntegration,
  aksKubeAuditDiagnosticSetting,
  aksKubernetesRbacEnabled,
  aksKubernetesVersionSupported,
  aksLocalAccountsDisabled,
  aksNoPodManagedIdentity,
  aksNodeImageCurrent,
  aksNodeOsUpgradeChannel,
  aksNodePoolVersionSupported,
  aksSecretsKeyVaultKms,
  // key health (issue 15)
  aksSecretsKeyUsable,
  aksSecretsKeyExpiry,
  aksSecretsKeyVaultNetwork,
  aksWorkloadIdentity,
  gkeClusterAdminExternalPrincipals,
  gkeClusterAdminPrincipals,
  gkeControlPlaneLogging,
  gkeControlPlaneNotWorldOpen,
  gkeDnsEndpointInternal,
  gkeKubernetesVersionSupported,
  gkeLegacyAbacDisabled,
  gkeNoStaticCredentials,
  gkeNodeAutoUpgrade,
  gkeNodeImageCosContainerd,
  gkeNodeVersionSkew,
  gkeNodeVersionOffered,
  gkeNodesNotDefaultServiceAccount,
  gkeReleaseChannel,
  gkeSecretsCloudKms,
  // key health (issue 15)
  gkeSecretsKeyUsable,
  gkeSecretsKeyRotation,
  gkeSecretsKeySameProject,
  gkeShieldedNodesSecureBoot,
  gkeWorkloadIdentity,
];

const byId = new Map(checks.map((c) => [c.id, c]));

export function checkById(id: string): AnyCheck | undefined {
  return byId.get(id);
}
