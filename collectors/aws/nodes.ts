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

async function recommended(
  scope: NodeScope,
  s: EksClusterSnapshot,
  gaps: CollectionGap[],
): Promise<Record<string, RecommendedRelease>> {
  const out: Record<string, RecommendedRelease> = {};
  const failures: string[] = [];
  let first: unknown;
  await Promise.all(
    s.nodegroups.map(async (ng) => {
      const version = ng.version ?? s.cluster?.version;
      if (!version || !ng.amiType) return;
      const parameter = recommendedReleaseParameter(version, ng.amiType);
      if (!parameter) return;
      try {
        out[recommendedReleaseKey(version, ng.amiType)] = await scope.references.parameter(
          scope.referenceScope,
          parameter,
        );
      } catch (e) {
        failures.push(parameter);
        first ??= e;
      }
    }),
  );
  if (failures.length > 0)
    gaps.push(gap('ssm:GetParameter', first, ` (could not read: ${[...new Set(failures)].sort().join(', ')})`));
  return out;
}

async function templates(
  scope: NodeScope,
  s: EksClusterSnapshot,
  gaps: CollectionGap[],
): Promise<Record<string, LaunchTemplateVersion>> {
  const out: Record<string, LaunchTemplateVersion> = {};
  const failures: string[] = [];
  let first: unknown;
  const wanted = new Map<string, { id: string; version: string }>();
  for (const ng of s.nodegroups) {
    const lt = ng.launchTemplate;
    if (lt?.id && lt.version)
      wanted.set(launchTemplateVersionKey(lt.id, lt.version), { id: lt.id, version: lt.version });
  }
  await Promise.all(
    [...wanted].map(async ([key, { id, version }]) => {
      try {
        const res = await scope.ec2.send(
          new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [version] }),
        );
        const v = res.LaunchTemplateVersions?.[0];
        if (v) out[key] = v;
      } catch (e) {
        // A deleted template is a finding for the checks (nothing to read), not a collection failure.
        if (/NotFound/.test((e as { name?: string }).name ?? '')) return;
        failures.push(key);
        first ??= e;
      }
    }),
  );
  if (failures.length > 0)
    gaps.push(gap('ec2:DescribeLaunchTemplateVersions', first, ` (could not read: ${failures.sort().join(', ')})`));
  return out;
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
      for await (const page of paginateDescribeInstances({ client: scope.ec2 }, { Filters: [filter, state] }))
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
