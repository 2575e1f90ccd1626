/**
 * What each Azure and Google Cloud read (a check's or the collector's `needs` name) takes in the cloud's own
 * permission model, and the built-in role that grants it. Data, not code: `npm run docs` renders it into
 * docs/deploy.md, and scripts/docs.test.ts fails when an AKS or GKE check needs a read this does not map.
 */

export interface CloudPermission {
  /** The permissions (Azure RBAC actions, GCP IAM permissions) the read takes. */
  permissions: string[];
  /** The built-in role that has them. */
  role: string;
  /** Read by the collector on every scan, whatever the checks. */
  collector?: boolean;
  note?: string;
}

export const AZURE_PERMISSIONS: Record<string, CloudPermission> = {
  'arm:ListSubscriptions': {
    permissions: ['Microsoft.Resources/subscriptions/read'],
    role: 'Reader',
    collector: true,
    note: 'only when azure.subscriptions is not set',
  },
  'aks:ListManagedClusters': { permissions: ['Microsoft.ContainerService/managedClusters/read'], role: 'Reader' },
  'aks:GetAgentPoolUpgradeProfile': {
    permissions: ['Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles/read'],
    role: 'Reader',
  },
  'aks:ListKubernetesVersions': {
    permissions: ['Microsoft.ContainerService/locations/kubernetesVersions/read'],
    role: 'Reader',
  },
  'monitor:ListDiagnosticSettings': { permissions: ['Microsoft.Insights/diagnosticSettings/read'], role: 'Reader' },
  'keyvault:ListVaults': {
    permissions: ['Microsoft.KeyVault/vaults/read'],
    role: 'Reader',
    note: 'the subscription of a cluster whose key vault is not named by keyVaultResourceId',
  },
  'keyvault:GetVault': {
    permissions: ['Microsoft.KeyVault/vaults/read'],
    role: 'Reader',
    note: 'on the vault of azureKeyVaultKms, in its own subscription when keyVaultResourceId names another',
  },
  'keyvault:GetKey': {
    permissions: ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/versions/read'],
    role: 'Reader',
    note: 'through ARM, the management plane: key attributes only, never key material; not stopped by the vault firewall',
  },
  'authorization:ListRoleAssignments': {
    permissions: ['Microsoft.Authorization/roleAssignments/read'],
    role: 'Reader',
    note: 'at the cluster scope, inherited assignments included (who can become cluster-admin)',
  },
  'authorization:GetRoleDefinition': {
    permissions: ['Microsoft.Authorization/roleDefinitions/read'],
    role: 'Reader',
    note: 'the roles those assignments use, custom roles included',
  },
};

export const GCP_PERMISSIONS: Record<string, CloudPermission> = {
  'crm:ListProjects': {
    permissions: ['resourcemanager.projects.get', 'resourcemanager.projects.list'],
    role: 'roles/browser',
    collector: true,
    note: 'only when gcp.projects is not set',
  },
  'gke:ListClusters': {
    permissions: ['container.clusters.list', 'container.clusters.get'],
    role: 'roles/container.clusterViewer',
  },
  'gke:GetServerConfig': { permissions: ['container.clusters.list'], role: 'roles/container.clusterViewer' },
  'cloudkms:GetCryptoKey': {
    permissions: ['cloudkms.cryptoKeys.get'],
    role: 'roles/cloudkms.viewer',
    note: 'in the key’s project: a key in another project needs the grant there',
  },
  'crm:GetIamPolicy': {
    permissions: ['resourcemanager.projects.getIamPolicy'],
    role: 'roles/iam.securityReviewer',
    note: 'the cluster’s project policy (who can become cluster-admin); also in roles/viewer',
  },
  'gcp-iam:GetRole': {
    permissions: ['iam.roles.get'],
    role: 'roles/iam.roleViewer',
    note: 'custom roles the project policy binds (predefined roles are known offline); also in roles/iam.securityReviewer',
  },
};
