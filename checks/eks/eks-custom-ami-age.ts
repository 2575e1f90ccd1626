import { type CheckResult, defineCheck, type EvalContext } from '../../core/check.ts';
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import { instanceArn, launchTemplateOf, ngName, nodegroupResult, nodePreamble, templateLabel } from './lib/nodes.ts';
import { daysBetween, isoDay } from './lib/versions.ts';

/** The verdict on one custom AMI, for whoever runs it (`who` starts the message). */
function judgeImage(
  s: EksClusterSnapshot,
  ctx: EvalContext,
  who: string,
  imageId: string,
): Pick<CheckResult, 'status' | 'message' | 'evidence' | 'severity'> {
  const image = s.images[imageId];
  const max = ctx.settings.nodes.customAmiMaxAgeDays;
  if (!image) {
    return {
      status: 'FAIL',
      severity: 'low',
      message: `${who} uses AMI ${imageId}, which DescribeImages does not return (deregistered or no longer shared): its age is unknown and no new node can start from it`,
      evidence: { imageId, found: false },
    };
  }
  const created = image.CreationDate ? new Date(image.CreationDate) : undefined;
  if (!created || Number.isNaN(created.getTime())) {
    return {
      status: 'NOT_APPLICABLE',
      message: `${who} uses AMI ${imageId}, whose creation date is not reported`,
      evidence: { imageId, name: image.Name },
    };
  }
  const age = daysBetween(created, ctx.now);
  const evidence = {
    imageId,
    name: image.Name,
    creationDate: isoDay(created),
    ageDays: age,
    maxAgeDays: max,
    ownerId: image.OwnerId,
  };
  const what = `AMI ${imageId} (${image.Name ?? 'no name'}), built ${isoDay(created)}: ${age} days old`;
  return age > max
    ? { status: 'FAIL', message: `${who} uses ${what}, over the ${max}-day limit`, evidence }
    : { status: 'PASS', message: `${who} uses ${what}, within the ${max}-day limit`, evidence };
}

export default defineCheck({
  id: 'EKS.NODES.3',
  slug: 'eks-custom-ami-age',
  title: 'Custom node AMIs (launch templates, self-managed nodes) are rebuilt regularly',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'nodes',
  needs: [
    'eks:DescribeCluster',
    'eks:ListNodegroups',
    'eks:DescribeNodegroup',
    'ec2:DescribeLaunchTemplateVersions',
    'ec2:DescribeInstances',
    'ec2:DescribeImages',
  ],
  reads: [
    'eks:DescribeNodegroup nodegroup.{amiType,launchTemplate}',
    'ec2:DescribeLaunchTemplateVersions LaunchTemplateData.ImageId',
    'ec2:DescribeImages Images[].{CreationDate,Name,OwnerId}',
    'ec2:DescribeInstances (self-managed nodes) ImageId',
  ],
  frameworks: {},
  risk: 'A custom AMI is patched only when its owner rebuilds it. Nodes started from an old image carry every kernel, container runtime and kubelet vulnerability fixed since it was built, and AWS has no recommended release to compare it with, so nothing else flags it.',
  remediation: {
    text: 'Rebuild the AMI from the latest EKS-optimized base (for example with EC2 Image Builder or Packer on a schedule), publish a new launch template version, and roll the node group or Auto Scaling group onto it. The age limit is checks.nodes.customAmiMaxAgeDays.',
    cli: 'aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <nodegroup> --launch-template name=<template>,version=<new-version>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-ami.html',
    'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html',
  ],
  severityRationale:
    'Medium: old images mean unpatched nodes, but exploiting them needs another foothold (a pod escape or network access to the node); low when the AMI no longer exists, which is an operational hazard more than an exposure.',
  evaluate(s, ctx) {
    const pre = nodePreamble(s, 'AMIs');
    if (pre) return pre;
    const results: CheckResult[] = [];
    for (const ng of s.nodegroups) {
      const found = launchTemplateOf(s, ng);
      if (!found) continue;
      if ('gone' in found) {
        results.push(found.gone);
        continue;
      }
      const { lt, template } = found;
      const imageId = template.LaunchTemplateData?.ImageId;
      if (!imageId) continue; // EKS picks its optimized AMI: EKS.NODES.2 judges the release.
      const v = judgeImage(s, ctx, `Node group ${ngName(ng)} (${templateLabel(lt)})`, imageId);
      results.push(nodegroupResult(s, ng, v.status, v.message, { launchTemplate: lt, ...v.evidence }, v.severity));
    }
    for (const i of s.selfManagedNodes) {
      if (!i.ImageId) continue;
      const v = judgeImage(s, ctx, `Self-managed node ${i.InstanceId}`, i.ImageId);
      results.push({ resourceId: instanceArn(s, i), ...v, evidence: { instanceId: i.InstanceId, ...v.evidence } });
    }
    return results;
  },
});
