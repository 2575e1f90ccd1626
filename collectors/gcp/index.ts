import type { ClusterManagerClient } from '@google-cloud/container';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { AuthClient } from 'google-auth-library';
import type { ScanConfig } from '../../core/config.ts';
import { CollectorError } from '../../core/errors.ts';
import type { GkeCluster, GkeClusterSnapshot, GkeServerConfig } from '../../core/snapshot-gke.ts';
import type {
  CollectOptions,
  Collector,
  Target,
  TargetCollection,
  TargetError,
  TargetPlan,
} from '../../core/target.ts';
import {
  clusterManagerClient,
  defaultAuthClient,
  type GcpCallSettings,
  type GcpClientOptions,
  gaxOptions,
  gcpCall,
  kmsClient,
  listProjectIds,
  withConnectTimeout,
} from './clients.ts';
import { classifyGcpError, describeGcpError } from './errors.ts';
import { cryptoKeyReader } from './kms.ts';
import { createProjectIamReader } from './project-iam.ts';

export interface GcpCollectorDeps {
  /**
   * Default, resolved on first use: the AWS workload identity federation client when `KUBEPOSTURE_GCP_CREDENTIAL_CONFIG`
   * is set, else Application Default Credentials.
   */
  authClient?: AuthClient;
  /** GKE and Resource Manager REST base URL (the simulator). Default: the Google APIs over gRPC / https. */
  endpoint?: string;
  clock?: () => Date;
}

export const GCP_NEEDS = { serverConfig: 'gke:GetServerConfig' } as const;

/** Total attempts per GKE / Resource Manager call when `gcp.maxAttempts` is not set (as Azure's default). */
export const GCP_MAX_ATTEMPTS = 4;

/** Every location of a project is one target: `locations/-` lists them all in one call. */
export const ALL_LOCATIONS = '*';

/** GKE across Google Cloud projects: one target per project (all its locations). */
export function createGcpCollector(config: ScanConfig, deps: GcpCollectorDeps = {}): Collector {
  const gcp = config.gcp ?? { maxAttempts: GCP_MAX_ATTEMPTS };
  const clock = deps.clock ?? (() => new Date());
  const options: GcpClientOptions = deps.endpoint ? { endpoint: deps.endpoint } : {};
  const { connectTimeoutMs, requestTimeoutMs, maxPages } = config.collection;
  const settings: GcpCallSettings = { maxAttempts: gcp.maxAttempts, requestTimeoutMs, maxPages };
  let auth: Promise<AuthClient> | undefined;
  let client: Promise<ClusterManagerClient> | undefined;
  const authClient = () => {
    auth ??= (deps.authClient ? Promise.resolve(deps.authClient) : defaultAuthClient()).then((a) =>
      withConnectTimeout(a, connectTimeoutMs),
    );
    return auth;
  };
  const gke = () => {
    client ??= authClient().then((a) => clusterManagerClient(a, options));
    return client;
  };
  const readProjectIam = createProjectIamReader({
    auth: authClient,
    options,
    organizationDomains: gcp.organizationDomains ?? [],
  });
  let kms: Promise<KeyManagementServiceClient> | undefined;
  // Key health (issue 15): the Cloud KMS key of each cluster's databaseEncryption, once per key per scan.
  const secretsKey = cryptoKeyReader(() => {
    kms ??= authClient().then((a) => kmsClient(a, options));
    return kms;
  });
  /**
   * Server config per location, once per scan: valid versions do not depend on the project. Only successes are
   * kept, so one project's denial does not become every project's gap.
   */
  const serverConfigs = new Map<string, Promise<GkeServerConfig>>();
  function serverConfig(
    c: ClusterManagerClient,
    projectId: string,
    location: string,
    s: GcpCallSettings,
  ): Promise<GkeServerConfig> {
    let p = serverConfigs.get(location);
    if (!p) {
      p = gcpCall('gke:GetServerConfig', s, (o) =>
        c.getServerConfig({ name: `projects/${projectId}/locations/${location}` }, gaxOptions(o)).then(([r]) => r),
      );
      serverConfigs.set(location, p);
      p.catch(() => serverConfigs.delete(location));
    }
    return p;
  }

  return {
    provider: 'gcp',

    async plan(): Promise<TargetPlan> {
      let ids: string[];
      if (gcp.projects) ids = gcp.projects;
      else {
        try {
          ids = await listProjectIds(await authClient(), { ...options, ...settings });
        } catch (e) {
          const error: TargetError = {
            provider: 'gcp',
            accountId: '*',
            region: '*',
            stage: 'list-projects',
            code: classifyGcpError(e),
            message: `Cannot list projects: ${describeGcpError(e)}`,
          };
          return { targets: [], errors: [error] };
        }
      }
      return { targets: ids.map((accountId) => ({ provider: 'gcp', accountId, region: ALL_LOCATIONS })), errors: [] };
    },

    async collect(target: Target, collectOptions: CollectOptions = {}): Promise<TargetCollection> {
      const projectId = target.accountId;
      const s: GcpCallSettings = {
        ...settings,
        ...(collectOptions.deadline ? { deadline: collectOptions.deadline } : {}),
      };
      const fail = (stage: string, code: TargetError['code'], message: string): TargetError => ({
        provider: 'gcp',
        accountId: projectId,
        region: target.region,
        stage,
        code,
        message,
      });
      let c: ClusterManagerClient;
      let clusters: GkeCluster[];
      const errors: TargetError[] = [];
      let projectIam: Awaited<ReturnType<typeof readProjectIam>> | undefined;
      if (target.cluster?.provider === 'gcp') {
        const ref = target.cluster;
        try {
          c = await gke();
          const cluster = await gcpCall('gke:GetCluster', s, (o) =>
            c.getCluster({ name: ref.id }, gaxOptions(o)).then(([r]) => r),
          );
          clusters = [cluster as GkeCluster];
        } catch (e) {
          // NOT_FOUND is the one answer that says the cluster is gone (and lets its findings resolve).
          if (!(e instanceof CollectorError) && classifyGcpError(e) === 'NotFound')
            return { target, snapshots: [], errors: [] };
          return {
            target,
            snapshots: [],
            errors: [
              fail('get-cluster', classifyGcpError(e), `Cannot read GKE cluster ${ref.name}: ${describeGcpError(e)}`),
            ],
          };
        }
        projectIam = await readProjectIam(projectId, s);
        return { target, snapshots: await Promise.all(clusters.map(snapshotOf)), errors };
      }
      try {
        c = await gke();
        const parent = `projects/${projectId}/locations/-`;
        const res = await gcpCall('gke:ListClusters', s, (o) =>
          c.listClusters({ parent }, gaxOptions(o)).then(([r]) => r),
        );
        clusters = res.clusters ?? [];
        // Zones that did not answer: their clusters are missing from the list, so say so (never a silent pass).
        if (res.missingZones?.length)
          errors.push(
            fail('list-clusters', 'Unreachable', `Clusters in ${res.missingZones.join(', ')} could not be listed`),
          );
      } catch (e) {
        return {
          target,
          snapshots: [],
          errors: [fail('list-clusters', classifyGcpError(e), `Cannot list GKE clusters: ${describeGcpError(e)}`)],
        };
      }
      // Once per project: every cluster of it shares the policy (and its gap).
      projectIam = clusters.length > 0 ? await readProjectIam(projectId, s) : undefined;
      const snapshots = await Promise.all(clusters.map(snapshotOf));
      return { target, snapshots, errors };

      async function snapshotOf(cluster: GkeCluster): Promise<GkeClusterSnapshot> {
        const location = cluster.location ?? cluster.zone ?? 'unknown';
        const gaps: GkeClusterSnapshot['gaps'] = [...(projectIam?.gaps ?? [])];
        let config: GkeServerConfig | undefined;
        const key = secretsKey(cluster, s, gaps);
        try {
          config = await serverConfig(c, projectId, location, s);
        } catch (e) {
          gaps.push({ need: GCP_NEEDS.serverConfig, code: classifyGcpError(e), error: describeGcpError(e) });
        }
        const keyFacts = await key;
        return {
          provider: 'gcp',
          id: cluster.selfLink ?? `projects/${projectId}/locations/${location}/clusters/${cluster.name}`,
          name: cluster.name ?? '',
          accountId: projectId,
          region: location,
          collectedAt: clock().toISOString(),
          cluster,
          serverConfig: config,
          projectIam: projectIam?.value,
          ...(keyFacts ? { secretsKey: keyFacts } : {}),
          gaps,
        };
      }
    },
  };
}
