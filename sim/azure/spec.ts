import * as z from 'zod';
import { authorizationIssues, CustomRoleSpecSchema, RoleAssignmentSpecSchema } from './authorization.ts';
import { KeyVaultSpecSchema } from './keyvault-spec.ts';

/**
 * The Azure part of a fleet spec: subscriptions with AKS clusters. A cluster's `properties` use the ARM wire
 * names (`enableRBAC`, `aadProfile.enableAzureRBAC`, `apiServerAccessProfile.authorizedIPRanges`) and are
 * deep-merged over `defaults.properties` (objects merge, lists replace, `null` removes), which in turn sit
 * over what `az aks create` gives without options. Only the fields the sim reads itself are validated;
 * the rest of `properties` is served as given, as ARM would.
 */

const GUID = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'a GUID like 00000000-0000-0000-0000-000000000000 (quote it in YAML)',
  );
const LOCATION = z.string().regex(/^[a-z][a-z0-9]+$/, 'an Azure location like westeurope');
const AKS_NAME = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,61}[A-Za-z0-9]$/, 'an AKS name: letters, digits, - and _, up to 63');
const RESOURCE_GROUP = z.string().regex(/^[\w.()-]{1,90}$/, 'a resource group name (up to 90 characters)');
const K8S_PATCH = z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'a Kubernetes version like "1.31.7" (quote it in YAML)');
const PLAIN = z.record(z.string(), z.unknown());

const AgentPoolSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, 'an agent pool name: lowercase letters and digits, up to 12'),
    /** Sim-only: what `agentPools.getUpgradeProfile` reports as the newest node image (default: the pool's own). */
    latestNodeImageVersion: z.string().min(1).optional(),
  })
  .catchall(z.unknown());

const DiagnosticSettingSchema = z.strictObject({
  name: z.string().min(1),
  workspaceId: z.string().optional(),
  storageAccountId: z.string().optional(),
  eventHubAuthorizationRuleId: z.string().optional(),
  logs: z
    .array(
      z.strictObject({
        category: z.string().optional(),
        categoryGroup: z.string().optional(),
        enabled: z.boolean(),
      }),
    )
    .default([]),
});

const AksClusterSpecSchema = z.strictObject({
  name: AKS_NAME,
  /** Default: `rg-<name>`. */
  resourceGroup: RESOURCE_GROUP.optional(),
  location: LOCATION,
  tags: z.record(z.string(), z.string()).optional(),
  /** ARM `properties`, wire names; `agentPoolProfiles` entries may carry the sim-only `latestNodeImageVersion`. */
  properties: PLAIN.default({}),
  diagnosticSettings: z.array(DiagnosticSettingSchema).default([]),
});

const SubscriptionSpecSchema = z.strictObject({
  id: GUID,
  displayName: z.string().min(1).optional(),
  /** Every call into this subscription is refused (403 AuthorizationFailed), and it is not listed. */
  denied: z.boolean().default(false),
  /** Sim-only: actions (as the sim's calls name them, `ManagedClusters.ListKubernetesVersions`) refused with 403. */
  deniedActions: z.array(z.string().regex(/^[A-Za-z]+\.[A-Za-z]+$/, 'an action like ManagedClusters.List')).default([]),
  clusters: z.array(AksClusterSpecSchema).default([]),
  /** Azure RBAC (sim/azure/authorization.ts). Absent: one Owner at the subscription; `[]`: none. */
  roleAssignments: z.array(RoleAssignmentSpecSchema).optional(),
});

const AksVersionSchema = z.strictObject({
  version: z.string().regex(/^\d+\.\d+$/, 'a Kubernetes minor version like "1.31" (quote it in YAML)'),
  isPreview: z.boolean().default(false),
  /** `capabilities.supportPlan`: KubernetesOfficial, AKSLongTermSupport. */
  supportPlan: z.array(z.enum(['KubernetesOfficial', 'AKSLongTermSupport'])).default(['KubernetesOfficial']),
  patchVersions: z.array(K8S_PATCH).min(1),
});

/** Complete (no zod defaults apply to a `.default()` value). */
export const DEFAULT_AKS_VERSIONS: z.output<typeof AksVersionSchema>[] = [
  { version: '1.30', isPreview: false, supportPlan: ['AKSLongTermSupport'], patchVersions: ['1.30.14'] },
  {
    version: '1.31',
    isPreview: false,
    supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'],
    patchVersions: ['1.31.9', '1.31.10'],
  },
  { version: '1.32', isPreview: false, supportPlan: ['KubernetesOfficial'], patchVersions: ['1.32.5', '1.32.6'] },
  { version: '1.33', isPreview: false, supportPlan: ['KubernetesOfficial'], patchVersions: ['1.33.1', '1.33.2'] },
  { version: '1.34', isPreview: true, supportPlan: ['KubernetesOfficial'], patchVersions: ['1.34.0'] },
];

export const AzureSpecSchema = z.strictObject({
  tenantId: GUID.default('72f988bf-0000-4000-8000-000000000001'),
  defaults: z.strictObject({ properties: PLAIN.default({}) }).default({ properties: {} }),
  /** What `listKubernetesVersions` answers, in every location. */
  kubernetesVersions: z.array(AksVersionSchema).min(1).default(DEFAULT_AKS_VERSIONS),
  subscriptions: z.array(SubscriptionSpecSchema).default([]),
  /** Custom roles, served beside the built-in ones (sim/azure/authorization.ts). */
  roleDefinitions: z.array(CustomRoleSpecSchema).default([]),
  /** Key Vaults behind clusters' `azureKeyVaultKms` (sim/azure/keyvault.ts); a vault a cluster names is served anyway. */
  keyVaults: z.array(KeyVaultSpecSchema).default([]),
});

export type AzureSpec = z.output<typeof AzureSpecSchema>;
export type SubscriptionSpec = z.output<typeof SubscriptionSpecSchema>;
export type AksClusterSpec = z.output<typeof AksClusterSpecSchema>;
export type DiagnosticSettingSpec = z.output<typeof DiagnosticSettingSchema>;
export const AksAgentPoolSchema = AgentPoolSchema;

/** Rules across fields: unique subscriptions and cluster ids. */
export function azureIssues(azure: AzureSpec | undefined): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (!azure) return issues;
  issues.push(...authorizationIssues(azure));
  const subs = new Map<string, number>();
  azure.subscriptions.forEach((s, i) => {
    const first = subs.get(s.id.toLowerCase());
    if (first !== undefined)
      issues.push({
        path: `azure.subscriptions[${i}].id`,
        message: `${s.id} is already azure.subscriptions[${first}]`,
      });
    else subs.set(s.id.toLowerCase(), i);
    const names = new Map<string, number>();
    s.clusters.forEach((c, j) => {
      const key = `${c.resourceGroup ?? `rg-${c.name}`}/${c.name}`.toLowerCase();
      const dup = names.get(key);
      if (dup !== undefined)
        issues.push({
          path: `azure.subscriptions[${i}].clusters[${j}].name`,
          message: `${c.name} is already clusters[${dup}] in its resource group`,
        });
      else names.set(key, j);
      const pools = (c.properties.agentPoolProfiles ?? []) as unknown[];
      if (!Array.isArray(pools)) {
        issues.push({
          path: `azure.subscriptions[${i}].clusters[${j}].properties.agentPoolProfiles`,
          message: 'must be a list',
        });
        return;
      }
      pools.forEach((p, k) => {
        const r = AgentPoolSchema.safeParse(p);
        if (!r.success)
          for (const issue of r.error.issues)
            issues.push({
              path: `azure.subscriptions[${i}].clusters[${j}].properties.agentPoolProfiles[${k}]${issue.path.length ? `.${issue.path.join('.')}` : ''}`,
              message: issue.message,
            });
      });
    });
  });
  return issues;
}
