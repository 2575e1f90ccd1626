import type { LaunchTemplateInstanceMetadataOptions } from '@aws-sdk/client-ec2';
import { type CheckResult, defineCheck } from '../../core/check.ts';
import type { Severity } from '../../core/severity.ts';
import { instanceArn, launchTemplateOf, ngName, nodegroupResult, nodePreamble, templateLabel } from './lib/nodes.ts';

type Options = Pick<LaunchTemplateInstanceMetadataOptions, 'HttpTokens' | 'HttpPutResponseHopLimit' | 'HttpEndpoint'>;

/** The verdict on a set of metadata options; `where` says whose they are. */
function judge(
  where: string,
  o: Options | undefined,
): { status: 'PASS' | 'FAIL'; message: string; severity?: Severity } {
  if (o?.HttpEndpoint === 'disabled')
    return { status: 'PASS', message: `${where}: instance metadata endpoint disabled` };
  const problems: string[] = [];
  let severity: Severity = 'medium';
  if (o?.HttpTokens !== 'required') {
    problems.push(
      o?.HttpTokens
        ? `HttpTokens ${o.HttpTokens} (IMDSv1 allowed)`
        : 'HttpTokens not set (IMDSv1 allowed unless the AMI requires v2)',
    );
    if (o?.HttpTokens === 'optional') severity = 'high';
  }
  const hops = o?.HttpPutResponseHopLimit;
  if (hops !== undefined && hops > 1) problems.push(`hop limit ${hops} (pods can reach the node's credentials)`);
  if (problems.length === 0) return { status: 'PASS', message: `${where}: IMDSv2 required, hop limit ${hops ?? 1}` };
  return { status: 'FAIL', message: `${where}: ${problems.join('; ')}`, severity };
}

export default defineCheck({
  id: 'EKS.NODES.6',
  slug: 'eks-node-imds-restricted',
  title: 'EKS nodes require IMDSv2 with a hop limit of 1',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'nodes',
  needs: [
    'eks:DescribeCluster',
    'eks:ListNodegroups',
    'eks:DescribeNodegroup',
    'ec2:DescribeLaunchTemplateVersions',
    'ec2:DescribeInstances',
  ],
  reads: [
    'ec2:DescribeLaunchTemplateVersions LaunchTemplateData.MetadataOptions.{HttpTokens,HttpPutResponseHopLimit,HttpEndpoint}',
    'ec2:DescribeInstances (self-managed nodes) MetadataOptions',
  ],
  frameworks: {},
  risk: "The instance metadata service hands out the node IAM role's credentials. IMDSv1 answers any GET, so one SSRF in any pod is enough to steal them; with a hop limit above 1, every pod (not only host-network ones) can reach IMDS, and through it act as the node: pull any image, describe the VPC, and often more.",
  remediation: {
    text: 'Set HttpTokens=required and HttpPutResponseHopLimit=1 in the launch template (or on self-managed instances), publish a new version and roll the node group onto it. Give pods their own credentials with EKS Pod Identity or IRSA instead of the node role.',
    cli: 'aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <nodegroup> --launch-template name=<template>,version=<version-with-imdsv2>',
    url: 'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
    'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html',
  ],
  severityRationale:
    'High when IMDSv1 is explicitly allowed (one SSRF leaks node credentials); medium for a hop limit above 1 or an unset HttpTokens (pods reach the credentials, but need a token request or depend on the AMI default).',
  evaluate(s) {
    const pre = nodePreamble(s, 'metadata options');
    if (pre) return pre;
    const results: CheckResult[] = [];
    for (const ng of s.nodegroups) {
      const found = launchTemplateOf(s, ng);
      if (!found) {
        results.push(
          nodegroupResult(
            s,
            ng,
            'NOT_APPLICABLE',
            `Node group ${ngName(ng)} uses the launch template EKS manages; its metadata options are not visible`,
          ),
        );
        continue;
      }
      if ('gone' in found) {
        results.push(found.gone);
        continue;
      }
      const { lt, template } = found;
      const o = template.LaunchTemplateData?.MetadataOptions;
      const v = judge(`Node group ${ngName(ng)} (${templateLabel(lt)})`, o);
      results.push(
        nodegroupResult(s, ng, v.status, v.message, { launchTemplate: lt, metadataOptions: o ?? null }, v.severity),
      );
    }
    for (const i of s.selfManagedNodes) {
      const v = judge(`Self-managed node ${i.InstanceId}`, i.MetadataOptions);
      results.push({
        resourceId: instanceArn(s, i),
        status: v.status,
        message: v.message,
        evidence: { instanceId: i.InstanceId, metadataOptions: i.MetadataOptions ?? null },
        ...(v.severity ? { severity: v.severity } : {}),
      });
    }
    return results;
  },
});
