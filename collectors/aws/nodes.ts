import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  type Image,
  type Instance,
  type LaunchTemplateVersion,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
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
  /** `collection.maxPages`: the cap of each DescribeInstances walk. */
  maxPages?: number;
  /** This target's GuardDuty, read once for all its clusters. */
  guardDuty: () => Promise<GuardDutyResult>;
}

type NodeFacts = Pick<
  EksClusterSnapshot,
  'references' | 'launchTemplates' | 'images' | 'selfManagedNodes' | 'guardDuty'
>;

function gap(need: string, e: unknown, detail = ''): CollectionGap {
  return { need, code: classifyAwsError(e), error: `${describeAwsError(e)}${detail}` };
}

/** EC2's batch limit for ImageId filters is generous, but keep requests small and readable. */
const IMAGE_BATCH = 100;

/**
 * Node groups' launch templates and AMIs, self-managed nodes, recommended releases, add-on
 * versions, the version calendar and GuardDuty, for one cluster. Never throws: each failure is
 * a gap named after the IAM action, so exactly the checks that need it say ERROR.
 */
export async function collectNodeFacts(scope: NodeScope, s: EksClusterSnapshot): Promise<NodeFacts> {
  const gaps = s.gaps;
  const clusterVersion = s.cluster?.version;

  const [versions, recommendedReleases, addonVersions, launchTemplates, selfManagedNodes, guardDuty] =
    await Promise.all([
      scope.references.versions(scope.referenceScope),
      recommended(scope, s, gaps),
      clusterVersion
        ? scope.references.addonVersions(scope.referenceScope, clusterVersion).catch((e: unknown) => {
            gaps.push(gap('eks:DescribeAddonVersions', e));
            return {};
          })
        : Promise.resolve({}),
      templates(scope, s, gaps),
      instances(scope, s, gaps),
      scope.guardDuty(),
    ]);

  const imageIds = new Set<string>();
  for (const t of Object.values(launchTemplates))
    if (t.LaunchTemplateData?.ImageId) imageIds.add(t.LaunchTemplateData.ImageId);
  for (const i of selfManagedNodes) if (i.ImageId) imageIds.add(i.ImageId);
  const images = await describeImages(scope, [...imageIds].sort(), gaps);

  if ('gap' in guardDuty) gaps.push(guardDuty.gap);
  const references: EksReferences = { versions, recommendedReleases, addonVersions };
  return {
    references,
    launchTemplates,
    images,
    selfManagedNodes,
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
function recommended(scope: NodeScope, s: EksClusterSnapshot, gaps: CollectionGap[]) {
  const wanted = new Map<string, string>();
  for (const ng of s.nodegroups) {
    const version = ng.version ?? s.cluster?.version;
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
function templates(scope: NodeScope, s: EksClusterSnapshot, gaps: CollectionGap[]) {
  const wanted = new Map<string, { id: string; version: string }>();
  for (const ng of s.nodegroups) {
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

/** Instances tagged for the cluster (either tag convention), minus those of managed node groups. */
async function instances(scope: NodeScope, s: EksClusterSnapshot, gaps: CollectionGap[]): Promise<Instance[]> {
  const byId = new Map<string, Instance>();
  const state = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };
  try {
    for (const filter of [
      { Name: 'tag-key', Values: [`kubernetes.io/cluster/${s.name}`] },
      { Name: 'tag:eks:cluster-name', Values: [s.name] },
    ]) {
      const pages = guardPages(paginateDescribeInstances({ client: scope.ec2 }, { Filters: [filter, state] }), {
        action: 'ec2:DescribeInstances',
        nextToken: (p) => (p as { NextToken?: string }).NextToken,
        maxPages: scope.maxPages,
      });
      for await (const page of pages)
        for (const r of page.Reservations ?? [])
          for (const i of r.Instances ?? []) if (i.InstanceId) byId.set(i.InstanceId, i);
    }
  } catch (e) {
    gaps.push(gap('ec2:DescribeInstances', e));
    return [];
  }
  return [...byId.values()]
    .filter((i) => !(i.Tags ?? []).some((t) => t.Key === 'eks:nodegroup-name'))
    .sort((a, b) => a.InstanceId!.localeCompare(b.InstanceId!));
}

async function describeImages(scope: NodeScope, ids: string[], gaps: CollectionGap[]): Promise<Record<string, Image>> {
  const out: Record<string, Image> = {};
  try {
    for (let i = 0; i < ids.length; i += IMAGE_BATCH) {
      const res = await scope.ec2.send(
        new DescribeImagesCommand({ ImageIds: ids.slice(i, i + IMAGE_BATCH), IncludeDeprecated: true }),
      );
      for (const image of res.Images ?? []) if (image.ImageId) out[image.ImageId] = image;
    }
  } catch (e) {
    // One deregistered id fails the whole batch with InvalidAMIID.NotFound: retry the ids one by one.
    if (/InvalidAMIID/.test((e as { name?: string }).name ?? '') && ids.length > 1) {
      for (const id of ids) Object.assign(out, await describeImages(scope, [id], gaps));
      return out;
    }
    if (!/InvalidAMIID/.test((e as { name?: string }).name ?? '')) gaps.push(gap('ec2:DescribeImages', e));
  }
  return out;
}
