import type {
  AgentPoolUpgradeProfile,
  ContainerServiceClient,
  KubernetesVersion,
  ManagedCluster,
} from '@azure/arm-containerservice';
import type { DiagnosticSettingsResource } from '@azure/arm-monitor';
import type { TokenCredential } from '@azure/core-auth';
import pLimit from 'p-limit';
import type { ScanConfig } from '../../core/config.ts';
import type { AksClusterSnapshot, CollectionGap } from '../../core/snapshot.ts';
import type {
  CollectOptions,
  Collector,
  Target,
  TargetCollection,
  TargetError,
  TargetPlan,
} from '../../core/target.ts';
import { collectPages } from '../common/pages.ts';
import {
  type AzureClientOptions,
  armAgent,
  authorizationClient,
  containerServiceClient,
  keyVaultClient,
  listSubscriptionIds,
  monitorClient,
} from './clients.ts';
import { azureCredentialFromEnv } from './credential.ts';
import { classifyAzureError, describeAzureError } from './errors.ts';
import { type KeyVaultReader, keyVaultReader } from './keyvault.ts';
import { createRoleAssignmentReader } from './role-assignments.ts';
import { ARM_ROUTES } from './schemas.ts';

export interface AzureCollectorDeps {
  /**
   * Default, made on first use: `azureCredentialFromEnv()`, i.e. the AWS-federated `ClientAssertionCredential` when
   * `KUBEPOSTURE_AZURE_FEDERATION=aws-web-identity` (Lambda), else `DefaultAzureCredential`.
   */
  credential?: TokenCredential;
  /** ARM base URL (tests, the simulator). Default: https://management.azure.com. */
  endpoint?: string;
  /** Extra CA to trust for `endpoint` (PEM). */
  ca?: string;
  clock?: () => Date;
}

/** What each collection step needs, as the checks' `needs` name it (and the Azure permission behind it, in the README). */
export const AZURE_NEEDS = {
  agentPoolUpgradeProfile: 'aks:GetAgentPoolUpgradeProfile',
  kubernetesVersions: 'aks:ListKubernetesVersions',
  diagnosticSettings: 'monitor:ListDiagnosticSettings',
} as const;

/** Every location of a subscription is one target: `managedClusters.list()` is subscription-wide. */
export const ALL_LOCATIONS = '*';

function resourceGroupOf(id: string): string {
  const m = /\/resourceGroups\/([^/]+)\//i.exec(id);
  if (!m) throw new Error(`Cannot read the resource group from ${id}`);
  return m[1]!;
}

/** The continuation token of an ARM `byPage()` page: the absolute nextLink of the page after it. */
const continuation = (page: unknown) => (page as { continuationToken?: string }).continuationToken;

/**
 * ManagedClusters.get said the cluster does not exist: a 404 naming the resource or its resource group. Not a missing
 * subscription (SubscriptionNotFound is what a reader outside the tenant can get) and nothing else.
 */
export function clusterGone(e: unknown): boolean {
  const err = (e ?? {}) as { code?: string; statusCode?: number };
  return err.statusCode === 404 && (err.code === 'ResourceNotFound' || err.code === 'ResourceGroupNotFound');
}

function gap(need: string, e: unknown): CollectionGap {
  return { need, code: classifyAzureError(e), error: describeAzureError(e) };
}

/** AKS across Azure subscriptions: one target per subscription (all its locations). */
export function createAzureCollector(config: ScanConfig, deps: AzureCollectorDeps = {}): Collector {
  const azure = config.azure ?? { maxAttempts: 4 };
  const clock = deps.clock ?? (() => new Date());
  let credential = deps.credential;
  const cred = () => {
    credential ??= azureCredentialFromEnv();
    return credential;
  };
  const { connectTimeoutMs, requestTimeoutMs, maxPages } = config.collection;
  const options: AzureClientOptions = {
    maxAttempts: azure.maxAttempts,
    connectTimeoutMs,
    requestTimeoutMs,
    maxPages,
    agent: armAgent({ connectTimeoutMs, ...(deps.ca ? { ca: deps.ca } : {}) }),
    ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
    ...(deps.ca ? { ca: deps.ca } : {}),
  };
  /** Kubernetes versions per subscription + location, once per scan (they are the same for every cluster there). */
  const versions = new Map<string, Promise<KubernetesVersion[]>>();
  const readRoleAssignments = createRoleAssignmentReader(maxPages);

  function versionsFor(aks: ContainerServiceClient, subscriptionId: string, location: string) {
    const key = `${subscriptionId}/${location}`;
    let p = versions.get(key);
    if (!p) {
      p = aks.managedClusters.listKubernetesVersions(location).then((r) => r.values ?? []);
      versions.set(key, p);
      // Only successes are kept: one target's failure (or deadline) must not become another target's gap.
      p.catch(() => versions.delete(key));
    }
    return p;
  }

  async function collectCluster(
    aks: ContainerServiceClient,
    subscriptionId: string,
    cluster: ManagedCluster,
    clientOptions: AzureClientOptions,
    keys: KeyVaultReader,
  ): Promise<AksClusterSnapshot> {
    const id = cluster.id ?? '';
    const name = cluster.name ?? '';
    const resourceGroup = resourceGroupOf(id);
    const gaps: CollectionGap[] = [];
    const attempt = async <T>(need: string, f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch (e) {
        gaps.push(gap(need, e));
        return undefined;
      }
    };
    const pools = (cluster.agentPoolProfiles ?? []).map((p) => p.name ?? '');
    const monitor = monitorClient(cred(), subscriptionId, clientOptions);
    // Key health (issue 15), beside the other reads: its failures are gaps of its own needs.
    const secretsKey = keys.secretsKey(cluster, subscriptionId, gaps);
    // Only what a check reads: the cluster's own upgrade profile was read once and no check needed it, so a lost
    // answer was a gap no report showed (the fault campaign found it); its versions come from the pools' profiles.
    const authorization = authorizationClient(cred(), subscriptionId, clientOptions);
    const [poolProfiles, diagnosticSettings, kubernetesVersions, roleAssignments] = await Promise.all([
      Promise.all(
        pools.map(async (pool): Promise<[string, AgentPoolUpgradeProfile | undefined, unknown]> => {
          try {
            return [pool, await aks.agentPools.getUpgradeProfile(resourceGroup, name, pool), undefined];
          } catch (e) {
            return [pool, undefined, e];
          }
        }),
      ),
      attempt(AZURE_NEEDS.diagnosticSettings, () =>
        collectPages<DiagnosticSettingsResource[] & { continuationToken?: string }, DiagnosticSettingsResource>(
          monitor.diagnosticSettings.list(id).byPage(),
          (page) => page,
          { action: ARM_ROUTES.listDiagnosticSettings.action, nextToken: continuation, maxPages },
        ),
      ),
      attempt(AZURE_NEEDS.kubernetesVersions, () => versionsFor(aks, subscriptionId, cluster.location)),
      readRoleAssignments(authorization, id),
    ]);
    gaps.push(...roleAssignments.gaps);
    const failedPools = poolProfiles.filter(([, , e]) => e !== undefined);
    if (failedPools.length > 0) {
      const g = gap(AZURE_NEEDS.agentPoolUpgradeProfile, failedPools[0]![2]);
      gaps.push({ ...g, error: `${g.error} (pools: ${failedPools.map(([p]) => p).join(', ')})` });
    }
    return {
      provider: 'azure',
      id,
      name,
      accountId: subscriptionId,
      region: cluster.location,
      resourceGroup,
      collectedAt: clock().toISOString(),
      cluster,
      agentPoolUpgradeProfiles: Object.fromEntries(
        poolProfiles.flatMap(([p, profile]) => (profile ? [[p, profile] as const] : [])),
      ),
      diagnosticSettings,
      kubernetesVersions,
      roleAssignments: roleAssignments.value,
      ...((await secretsKey) ? { secretsKey: await secretsKey } : {}),
      gaps,
    };
  }

  return {
    provider: 'azure',

    async plan(): Promise<TargetPlan> {
      let ids: string[];
      if (azure.subscriptions) ids = azure.subscriptions.map((s) => s.toLowerCase());
      else {
        try {
          ids = await listSubscriptionIds(cred(), options);
        } catch (e) {
          return {
            targets: [],
            errors: [
              {
                provider: 'azure',
                accountId: '*',
                region: '*',
                stage: 'list-subscriptions',
                code: classifyAzureError(e),
                message: `Cannot list subscriptions: ${describeAzureError(e)}`,
              },
            ],
          };
        }
      }
      return { targets: ids.map((accountId) => ({ provider: 'azure', accountId, region: ALL_LOCATIONS })), errors: [] };
    },

    async collect(target: Target, collectOptions: CollectOptions = {}): Promise<TargetCollection> {
      const subscriptionId = target.accountId;
      // The deadline rides in the clients' pipelines: every request of this target (pages, retries) carries it.
      const clientOptions: AzureClientOptions = {
        ...options,
        ...(collectOptions.deadline ? { deadline: collectOptions.deadline } : {}),
      };
      const aks = containerServiceClient(cred(), subscriptionId, clientOptions);
      if (target.cluster?.provider === 'azure') {
        const ref = target.cluster;
        let cluster: ManagedCluster;
        try {
          cluster = await aks.managedClusters.get(ref.resourceGroup, ref.name);
        } catch (e) {
          // Gone (its resource or resource group not found): the only answer that resolves its findings.
          if (clusterGone(e)) return { target, snapshots: [], errors: [] };
          const error: TargetError = {
            provider: 'azure',
            accountId: subscriptionId,
            region: target.region,
            stage: 'get-cluster',
            code: classifyAzureError(e),
            message: `Cannot read AKS cluster ${ref.name}: ${describeAzureError(e)}`,
          };
          return { target, snapshots: [], errors: [error] };
        }
        const keys = keyVaultReader((sub) => keyVaultClient(cred(), sub, clientOptions), maxPages);
        return {
          target,
          snapshots: [await collectCluster(aks, subscriptionId, cluster, clientOptions, keys)],
          errors: [],
        };
      }
      let clusters: ManagedCluster[];
      try {
        clusters = await collectPages<ManagedCluster[] & { continuationToken?: string }, ManagedCluster>(
          aks.managedClusters.list().byPage(),
          (page) => page,
          { action: ARM_ROUTES.listManagedClusters.action, nextToken: continuation, maxPages },
        );
      } catch (e) {
        const error: TargetError = {
          provider: 'azure',
          accountId: subscriptionId,
          region: target.region,
          stage: 'list-clusters',
          code: classifyAzureError(e),
          message: `Cannot list AKS clusters: ${describeAzureError(e)}`,
        };
        return { target, snapshots: [], errors: [error] };
      }
      const limit = pLimit(config.concurrency.clustersPerTarget);
      const keys = keyVaultReader((sub) => keyVaultClient(cred(), sub, clientOptions), maxPages);
      const snapshots = await Promise.all(
        clusters.map((c) => limit(() => collectCluster(aks, subscriptionId, c, clientOptions, keys))),
      );
      return { target, snapshots, errors: [] };
    },
  };
}
