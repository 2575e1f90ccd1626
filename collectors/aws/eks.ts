import {
  type Addon,
  type Cluster,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  type Nodegroup,
  paginateListAddons,
  paginateListClusters,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import pLimit from 'p-limit';
import type { CollectionGap, EksClusterSnapshot, EksInsightsFacts, EksSecretsKeyFacts } from '../../core/snapshot.ts';
import { collectPages } from '../common/pages.ts';
import { type AccessScope, collectAccess, emptyAccess } from './access.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';
import type { ClusterInProgress } from './nodes.ts';

/** Partition from the region, for ARNs we must build ourselves (DescribeCluster failed). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

export function eksClusterArn(accountId: string, region: string, name: string): string {
  return `arn:${partitionOf(region)}:eks:${region}:${accountId}:cluster/${name}`;
}

/** The token of the page after this one, for the guard of every EKS walk (restJson: `nextToken`). */
export const eksNextToken = (page: unknown) => (page as { nextToken?: string }).nextToken;

/** Every cluster name; rejects (Malformed) on a walk that does not terminate: the target then fails, never half-read. */
export function listClusterNames(eks: EKSClient, maxPages?: number): Promise<string[]> {
  return collectPages(paginateListClusters({ client: eks }, {}), (p) => p.clusters, {
    action: 'eks:ListClusters',
    nextToken: eksNextToken,
    maxPages,
  });
}

export function gap(need: string, e: unknown): CollectionGap {
  return { need, code: classifyAwsError(e), error: describeAwsError(e) };
}

interface ClusterScope {
  eks: EKSClient;
  accountId: string;
  region: string;
  /** Bounds describe calls inside one cluster (node groups, add-ons). */
  concurrency: number;
  /** `collection.maxPages`: the cap of every list walk. */
  maxPages?: number;
  now: () => Date;
  /** Access and identity collection (issue 3): IAM of the account and the cluster's Kubernetes API. */
  access: Omit<AccessScope, 'eks' | 'accountId' | 'concurrency' | 'maxPages'>;
  /**
   * Node, version and GuardDuty facts (collectors/aws/nodes.ts), started with the cluster's other reads and fed as
   * its pieces arrive; without it those fields stay empty.
   */
  nodeFacts?: (c: ClusterInProgress) => Promise<NodeFacts>;
  /** The key that encrypts Secrets (collectors/aws/kms.ts), read once DescribeCluster names it; without it, not read. */
  secretsKey?: (cluster: Cluster | undefined, gaps: CollectionGap[]) => Promise<EksSecretsKeyFacts | undefined>;
  /** EKS insights (collectors/aws/insights.ts), read with the cluster's first calls; without it, not read. */
  insights?: (name: string, gaps: CollectionGap[]) => Promise<EksInsightsFacts | undefined>;
}

type NodeFacts = Pick<
  EksClusterSnapshot,
  'references' | 'launchTemplates' | 'images' | 'selfManagedNodes' | 'guardDuty'
>;

/**
 * Everything the EKS API says about one cluster. Never throws: what could not be read
 * becomes a gap on the snapshot, so the checks that need it say ERROR. Returns undefined
 * only when the cluster disappeared between ListClusters and DescribeCluster.
 *
 * Every read starts as soon as what it needs is known: node groups and add-ons need only the name, so they go
 * with DescribeCluster rather than after it; access needs the cluster (its authentication mode); node facts take
 * each piece as it comes. The longest chain is then ListClusters → ListNodegroups → DescribeNodegroup →
 * DescribeLaunchTemplateVersions → DescribeImages.
 */
export async function collectEksCluster(scope: ClusterScope, name: string): Promise<EksClusterSnapshot | undefined> {
  const { eks, accountId, region, maxPages } = scope;
  const gaps: CollectionGap[] = [];
  let gone = false;
  // The response schema guarantees `cluster` (collectors/aws/responses.ts).
  const described: Promise<Cluster | undefined> = eks.send(new DescribeClusterCommand({ name })).then(
    (r) => r.cluster,
    (e: unknown) => {
      if (classifyAwsError(e) === 'NotFound') gone = true;
      else gaps.push(gap('eks:DescribeCluster', e));
      return undefined;
    },
  );
  const nodegroupsRead = describeAll(
    scope,
    gaps,
    'eks:ListNodegroups',
    'eks:DescribeNodegroup',
    () =>
      collectPages(paginateListNodegroups({ client: eks }, { clusterName: name }), (p) => p.nodegroups, {
        action: 'eks:ListNodegroups',
        nextToken: eksNextToken,
        maxPages,
      }),
    async (ng) =>
      (await eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: ng }))).nodegroup as Nodegroup,
  );
  const [cluster, nodegroups, addons, access, facts, secretsKey, insights] = await Promise.all([
    described,
    nodegroupsRead,
    describeAll(
      scope,
      gaps,
      'eks:ListAddons',
      'eks:DescribeAddon',
      () =>
        collectPages(paginateListAddons({ client: eks }, { clusterName: name }), (p) => p.addons, {
          action: 'eks:ListAddons',
          nextToken: eksNextToken,
          maxPages,
        }),
      async (addonName) => (await eks.send(new DescribeAddonCommand({ clusterName: name, addonName }))).addon as Addon,
    ),
    // Without DescribeCluster the mode and issuer are unknown; every access check needs it, so they say ERROR.
    described.then((c) =>
      c
        ? collectAccess({ ...scope.access, eks, accountId, concurrency: scope.concurrency, maxPages }, c, gaps)
        : emptyAccess(),
    ),
    scope.nodeFacts?.({ name, cluster: described, nodegroups: nodegroupsRead, gaps }),
    scope.secretsKey ? described.then((c) => scope.secretsKey?.(c, gaps)) : undefined,
    scope.insights?.(name, gaps),
  ]);
  if (gone) return undefined;

  const arn = cluster?.arn ?? eksClusterArn(accountId, region, name);
  const snapshot: EksClusterSnapshot = {
    provider: 'aws',
    id: arn,
    arn,
    name,
    accountId,
    region,
    collectedAt: scope.now().toISOString(),
    cluster,
    nodegroups,
    addons,
    ...access,
    gaps,
    references: { versions: { source: 'api', versions: [] }, recommendedReleases: {}, addonVersions: {} },
    launchTemplates: {},
    images: {},
    selfManagedNodes: [],
    guardDuty: undefined,
    ...(secretsKey ? { secretsKey } : {}),
    ...(insights ? { insights } : {}),
  };
  return facts ? { ...snapshot, ...facts } : snapshot;
}

/** List, then describe each item; a failed list or any failed describe is recorded as a gap. */
export async function describeAll<T>(
  scope: Pick<ClusterScope, 'concurrency'>,
  gaps: CollectionGap[],
  listNeed: string,
  describeNeed: string,
  list: () => Promise<string[]>,
  describe: (name: string) => Promise<T>,
): Promise<T[]> {
  let names: string[];
  try {
    names = await list();
  } catch (e) {
    gaps.push(gap(listNeed, e));
    return [];
  }
  const limit = pLimit(scope.concurrency);
  const failures: string[] = [];
  let firstError: unknown;
  const items = await Promise.all(
    names.map((n) =>
      limit(async () => {
        try {
          return await describe(n);
        } catch (e) {
          // Deleted since the list: not a gap, it simply no longer exists.
          if (classifyAwsError(e) === 'NotFound') return undefined;
          failures.push(n);
          firstError ??= e;
          return undefined;
        }
      }),
    ),
  );
  if (failures.length > 0) {
    const g = gap(describeNeed, firstError);
    gaps.push({ ...g, error: `${g.error} (could not describe: ${failures.sort().join(', ')})` });
  }
  return items.filter((i): i is Awaited<T> => i !== undefined);
}
