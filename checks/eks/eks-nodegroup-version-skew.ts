import { defineCheck } from '../../core/check.ts';
import { ngName, nodegroupResult, nodePreamble } from './lib/nodes.ts';
import { missingField } from './lib/results.ts';
import { minorsBehind, parseMinor } from './lib/versions.ts';

/** Upstream version-skew policy: kubelet may be up to three minors older than kube-apiserver from 1.28, two before. */
function maxSupportedSkew(controlPlane: string): number {
  const m = parseMinor(controlPlane);
  return m && (m[0] > 1 || m[1] >= 28) ? 3 : 2;
}

export default defineCheck({
  id: 'EKS.NODES.4',
  slug: 'eks-nodegroup-version-skew',
  title: 'EKS managed node groups run the same Kubernetes version as the control plane',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'nodes',
  needs: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup'],
  reads: ['eks:DescribeCluster cluster.version', 'eks:DescribeNodegroup nodegroup.version'],
  frameworks: {},
  risk: 'Nodes older than the control plane miss kubelet fixes and features the cluster already advertises; beyond the skew upstream supports (three minor versions from 1.28, two before) behaviour is untested, and the control plane cannot be upgraded again until the nodes catch up.',
  remediation: {
    text: 'Update each node group to the control plane version after every control-plane upgrade (it replaces the nodes with a rolling update).',
    cli: 'aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <nodegroup> --kubernetes-version <control-plane-version>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html',
  },
  references: [
    'https://kubernetes.io/releases/version-skew-policy/',
    'https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html',
  ],
  severityRationale:
    'Low for a supported skew (it only delays fixes and blocks the next upgrade); high beyond the supported skew or with nodes newer than the control plane, which upstream does not support at all.',
  evaluate(s) {
    const pre = nodePreamble(s, 'Kubernetes version');
    if (pre) return pre;
    const cp = s.cluster?.version;
    if (!cp) return [missingField(s, 'cluster.version', 'node version skew')];
    const max = maxSupportedSkew(cp);
    return s.nodegroups.map((ng) => {
      const evidence = { controlPlaneVersion: cp, nodegroupVersion: ng.version, maxSupportedSkew: max };
      const skew = ng.version ? minorsBehind(ng.version, cp) : undefined;
      if (skew === undefined)
        return nodegroupResult(
          s,
          ng,
          'NOT_APPLICABLE',
          `Node group ${ngName(ng)} reports no comparable version (${ng.version ?? 'none'})`,
          evidence,
        );
      const full = { ...evidence, minorVersionsBehind: skew };
      if (skew === 0)
        return nodegroupResult(
          s,
          ng,
          'PASS',
          `Node group ${ngName(ng)} runs Kubernetes ${ng.version}, like the control plane`,
          full,
        );
      if (skew < 0)
        return nodegroupResult(
          s,
          ng,
          'FAIL',
          `Node group ${ngName(ng)} runs Kubernetes ${ng.version}, newer than the control plane (${cp}): unsupported`,
          full,
          'high',
        );
      if (skew > max)
        return nodegroupResult(
          s,
          ng,
          'FAIL',
          `Node group ${ngName(ng)} runs Kubernetes ${ng.version}, ${skew} minor versions behind the control plane (${cp}): beyond the supported skew of ${max}`,
          full,
          'high',
        );
      return nodegroupResult(
        s,
        ng,
        'FAIL',
        `Node group ${ngName(ng)} runs Kubernetes ${ng.version}, ${skew} minor version${skew === 1 ? '' : 's'} behind the control plane (${cp}; supported up to ${max})`,
        full,
        'low',
      );
    });
  },
});
