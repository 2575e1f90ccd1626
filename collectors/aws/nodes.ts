import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  type Image,
  type Instance,
  type LaunchTemplateVersion,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import type { Cluster, Nodegroup } from '@aws-sdk/client-eks';
import {
  type CollectionGap,
  type EksClusterSnapshot,
  type EksReferences,
  launchTemplateVersionKey,
  type RecommendedRelease,
  recommendedReleaseKey,
} from '../../core/snapshot.ts';
import { guardPages } from '../common/pages.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';
import type { GuardDutyResult } from './guardduty.ts';
import type { ReferenceScope, ReferenceSource } from './references.ts';
import { recommendedReleaseParameter } from './versions.ts';

/** What the node and version checks need besides the EKS API: EC2, SSM, GuardDuty and the reference data. */
export interface NodeScope {
  ec2: EC2Client;
  region: string;
  references: ReferenceSource;
  /** The target account's EKS and SSM clients for the reference data (shared across accounts by `references`). */
  referenceScope: ReferenceScope;
  /** `collection.maxPages`: the cap of each DescribeInstances walk (of the default `instances`). */
  maxPages?: number;
  /** This target's GuardDuty, read once for all its clusters. */
  guardDuty: () => Promise<GuardDutyResult>;
  /** This target's AMI lookups, shared by its clusters (imageLookup); default: one of this cluster's own. */
  images?: ImageLookup;
  /** This target's self-managed instances, read once for all its clusters (instanceLookup); default: this cluster's. */
  instances?: InstanceLookup;
}

type NodeFacts = Pick<
  EksClusterSnapshot,
  'references' | 'launchTemplates' | 'images' | 'selfManagedNodes' | 'guardDuty'
>;

/**
 * A cluster whose EKS reads are still under way: node facts start from each piece as soon as it is known (the
 * instances and the version calendar at once, launch templates and their AMIs once the node groups are described),
 * so the chain of calls a cluster waits on is as short as the data allows.
 */
export interface ClusterInProgress {
  name: string;
  /** DescribeCluster's answer; undefined when it failed (its gap is recorded). Never rejects. */
  cluster: Promise<Cluster | undefined>;
  /** The described node groups. Never rejects. */
  nodegroups: Promise<Nodegroup[]>;
  gaps: CollectionGap[];
}

function gap(need: string, e: unknown, detail = ''): CollectionGap {
  return { need, code: classifyAwsError(e), error: `${describeAwsError(e)}${detail}` };
}

/** EC2's batch limit for ImageId filters is generous, but keep requests small and readable. */
const IMAGE_BATCH = 100;

/** AMIs by id; ids EC2 does not know (deregistered) are absent. Rejects on any other failure. */
export type ImageLookup = (ids: string[]) => Promise<Record<string, Image>>;

const invalidAmi = (e: unknown) => /InvalidAMIID/.test((e as { name?: string }).name ?? '');

/**
 * DescribeImages for one target, each AMI asked once however many clusters name it (node groups of a region
 * usually share a few): ids not asked yet go out in one batch, ids asked already wait for that answer. A failed
 * read is forgotten, so the next cluster asking tries again.
 */
export function imageLookup(ec2: EC2Client): ImageLookup {
  const known = new Map<string, Promise<Image | undefined>>();
  async function fetch(ids: string[]): Promise<Record<string, Image>> {
    const out: Record<string, Image> = {};
    for (let i = 0; i < ids.length; i += IMAGE_BATCH) {
      const batch = ids.slice(i, i + IMAGE_BATCH);
      try {
        const res = await ec2.send(new DescribeImagesCommand({ ImageIds: batch, IncludeDeprecated: true }));
        for (const image of res.Images ?? []) if (image.ImageId) out[image.ImageId] = image;
      } catch (e) {
        if (!invalidAmi(e)) throw e;
        // One deregistered id fails the whole batch with InvalidAMIID.NotFound: ask the ids one by one.
        if (batch.length > 1) for (const id of batch) Object.assign(out, await fetch([id]));
      }
    }
    return out;
  }
  return async (ids) => {
    const missing = [...new Set(ids)].filter((id) => !known.has(id)).sort();
    if (missing.length > 0) {
      const batch = fetch(missing);
      for (const id of missing) {
        const one = batch.then((r) => r[id]);
        known.set(id, one);
        one.catch(() => {
          if (known.get(id) === one) known.delete(id);
        });
      }
    }
    const out: Record<string, Image> = {};
    const found = await Promise.all(ids.map((id) => known.get(id)!));
    for (const image of found) if (image?.ImageId) out[image.ImageId] = image;
    return out;
  };
}

/**
 * Node groups' launch templates and AMIs, self-managed nodes, recommended releases, add-on
 * versions, the version calendar and GuardDuty, for one cluster. Never throws: each failure is
 * a gap named after the IAM action, so exactly the checks that need it say ERROR.
 */
export async function collectNodeFacts(scope: NodeScope, c: ClusterInProgress): Promise<NodeFacts> {
  const gaps = c.gaps;
  const lookup = scope.images ?? imageLookup(scope.ec2);
  let imageGap = false;
  const imagesOf = async (ids: string[]): Promise<Record<string, Image>> => {
    if (ids.length === 0) return {};
    try {
      return await lookup(ids);
    } catch (e) {
      // Templates' and instances' AMIs are read apart: one gap for the need either way.
      if (!imageGap) gaps.push(gap('ec2:DescribeImages', e));
      imageGap = true;
      return {};
    }
  };
  const version = c.cluster.then((cluster) => cluster?.version);
  const launchTemplates = c.nodegroups.then((nodegroups) => templates(scope, nodegroups, gaps));
  const selfManagedNodes = (scope.instances ?? instanceLookup(scope.ec2, [c.name], scope.maxPages))(c.name).catch(
    (e: unknown) => {
      gaps.push(gap('ec2:DescribeInstances', e));
      return [] as Instance[];
    },
  );

  const [versions, recommendedReleases, addonVersions, templateList, nodes, guardDuty, templateImages, nodeImages] =
    await Promise.all([
      scope.references.versions(scope.referenceScope),
      Promise.all([version, c.nodegroups]).then(([v, nodegroups]) => recommended(scope, v, nodegroups, gaps)),
      version.then((v) =>
        v
          ? scope.references.addonVersions(scope.referenceScope, v).catch((e: unknown) => {
              gaps.push(gap('eks:DescribeAddonVersions', e));
              return {};
            })
          : {},
      ),
      launchTemplates,
      selfManagedNodes,
      scope.guardDuty(),
      launchTemplates.then((t) =>
        imagesOf([...new Set(Object.values(t).flatMap((v) => v.LaunchTemplateData?.ImageId ?? []))]),
      ),
      selfManagedNodes.then((n) => imagesOf([...new Set(n.flatMap((i) => i.ImageId ?? []))])),
    ]);

  if ('gap' in guardDuty) gaps.push(guardDuty.gap);
  const images: Record<string, Image> = {};
  for (const id of Object.keys({ ...templateImages, ...nodeImages }).sort())
    images[id] = (templateImages[id] ?? nodeImages[id])!;
  const references: EksReferences = { versions, recommendedReleases, addonVersions };
  return {
    references,
    launchTemplates: templateList,
    images,
    selfManagedNodes: nodes,
    guardDuty: 'facts' in guardDuty ? guardDuty.facts : undefined,
  };
}

/**
 * Reads every item at once, keyed as the snapshot stores them. Failures become one gap on `need` naming each item
 * that could not be read; errors `gone` accepts mean the thing no longer exists (a fact for the checks, not a gap).
 */
async function readEach<I, T>(
  need: string,
  gaps: CollectionGap[],
  items: Map<string, I>,
  read: (item: I) => Promise<T | undefined>,
  label: (item: I) => string,
  gone: (e: unknown) => boolean = () => false,
): Promise<Record<string, T>> {
  const out: Record<string, T> = {};
  const failures: string[] = [];
  let first: unknown;
  await Promise.all(
    [...items].map(async ([key, item]) => {
      try {
        const value = await read(item);
        if (value !== undefined) out[key] = value;
      } catch (e) {
        if (gone(e)) return;
        failures.push(label(item));
        first ??= e;
      }
    }),
  );
  if (failures.length > 0)
    gaps.push(gap(need, first, ` (could not read: ${[...new Set(failures)].sort().join(', ')})`));
  return out;
}

/** The recommended release of each node group's (Kubernetes version, AMI type), where AWS publishes one. */
function recommended(
  scope: NodeScope,
  clusterVersion: string | undefined,
  nodegroups: readonly Nodegroup[],
  gaps: CollectionGap[],
) {
  const wanted = new Map<string, string>();
  for (const ng of nodegroups) {
    const version = ng.version ?? clusterVersion;
    const parameter = version && ng.amiType ? recommendedReleaseParameter(version, ng.amiType) : undefined;
    if (version && ng.amiType && parameter) wanted.set(recommendedReleaseKey(version, ng.amiType), parameter);
  }
  return readEach<string, RecommendedRelease>(
    'ssm:GetParameter',
    gaps,
    wanted,
    (parameter) => scope.references.parameter(scope.referenceScope, parameter),
    (parameter) => parameter,
  );
}

/** The launch template version each node group names. */
function templates(scope: NodeScope, nodegroups: readonly Nodegroup[], gaps: CollectionGap[]) {
  const wanted = new Map<string, { id: string; version: string }>();
  for (const ng of nodegroups) {
    const lt = ng.launchTemplate;
    if (lt?.id && lt.version)
      wanted.set(launchTemplateVersionKey(lt.id, lt.version), { id: lt.id, version: lt.version });
  }
  return readEach<{ id: string; version: string }, LaunchTemplateVersion>(
    'ec2:DescribeLaunchTemplateVersions',
    gaps,
    wanted,
    async ({ id, version }) =>
      (await scope.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [version] })))
        .LaunchTemplateVersions?.[0],
    ({ id, version }) => launchTemplateVersionKey(id, version),
    // A deleted template or version: the checks say it was not found.
    (e) => /NotFound/.test((e as { name?: string }).name ?? ''),
  );
}

/** Cluster names per DescribeInstances request: EC2 limits the values of a filter; 200 stays within it. */
const INSTANCE_FILTER_BATCH = 200;

const CLUSTER_TAG_PREFIX = 'kubernetes.io/cluster/';
const EKS_CLUSTER_TAG = 'eks:cluster-name';
const INSTANCE_STATES = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };

/**
 * A cluster's self-managed instances (tagged for it by either convention, minus managed node groups' ones), sorted by
 * id. Rejects when a walk the cluster needs failed: never an empty list that would read as "no self-managed nodes".
 */
export type InstanceLookup = (clusterName: string) => Promise<Instance[]>;

/** The clusters an instance's tags name, of those in `names`. */
function clustersNamedBy(instance: Instance, names: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const t of instance.Tags ?? []) {
    if (t.Key?.startsWith(CLUSTER_TAG_PREFIX)) {
      const name = t.Key.slice(CLUSTER_TAG_PREFIX.length);
      if (names.has(name)) out.add(name);
    } else if (t.Key === EKS_CLUSTER_TAG && t.Value !== undefined && names.has(t.Value)) out.add(t.Value);
  }
  return [...out];
}

/**
 * DescribeInstances for one target, once for all its clusters instead of twice per cluster: one walk per tag
 * convention (`tag-key` kubernetes.io/cluster/<name>, `tag:eks:cluster-name`), each asking for up to 200 clusters
 * at once (EC2 ORs the values of one filter), started at once; each instance goes to every cluster its tags name.
 * Each walk is capped at `maxPages`. A failed walk fails every cluster of its batch (a gap for each), and is shared,
 * not retried per cluster (the SDK already retried it). A name not given up front gets a walk of its own.
 */
export function instanceLookup(ec2: EC2Client, names: readonly string[], maxPages?: number): InstanceLookup {
  const byName = new Map<string, Promise<Map<string, Instance[]>>>();

  async function walk(filter: { Name: string; Values: string[] }, found: Map<string, Instance>): Promise<void> {
    const pages = guardPages(paginateDescribeInstances({ client: ec2 }, { Filters: [filter, INSTANCE_STATES] }), {
      action: 'ec2:DescribeInstances',
      nextToken: (p) => (p as { NextToken?: string }).NextToken,
      maxPages,
    });
    for await (const page of pages)
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.InstanceId) found.set(i.InstanceId, i);
  }

  async function read(batch: string[]): Promise<Map<string, Instance[]>> {
    const found = new Map<string, Instance>();
    await Promise.all([
      walk({ Name: 'tag-key', Values: batch.map((n) => `${CLUSTER_TAG_PREFIX}${n}`) }, found),
      walk({ Name: `tag:${EKS_CLUSTER_TAG}`, Values: batch }, found),
    ]);
    const wanted = new Set(batch);
    const out = new Map<string, Instance[]>(batch.map((n) => [n, []]));
    for (const i of found.values()) {
      if ((i.Tags ?? []).some((t) => t.Key === 'eks:nodegroup-name')) continue;
      for (const name of clustersNamedBy(i, wanted)) out.get(name)!.push(i);
    }
    for (const list of out.values()) list.sort((a, b) => a.InstanceId!.localeCompare(b.InstanceId!));
    return out;
  }

  function start(batchNames: string[]) {
    for (let i = 0; i < batchNames.length; i += INSTANCE_FILTER_BATCH) {
      const batch = batchNames.slice(i, i + INSTANCE_FILTER_BATCH);
      const answer = read(batch);
      answer.catch(() => undefined); // each cluster handles the rejection; none is unhandled while nobody waits
      for (const n of batch) byName.set(n, answer);
    }
  }
  start([...new Set(names)].sort());

  return async (clusterName) => {
    if (!byName.has(clusterName)) start([clusterName]);
    return (await byName.get(clusterName)!).get(clusterName)!;
  };
}
