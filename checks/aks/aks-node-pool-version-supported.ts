import type { ManagedClusterAgentPoolProfile } from '@azure/arm-containerservice';
import { type CheckResult, defineCheck } from '../../core/check.ts';
import type { Severity } from '../../core/severity.ts';
import { compareNumeric } from '../lib/memo.ts';
import { clusterResult, minorOf, poolResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.VERSIONS.2',
  slug: 'aks-node-pool-version-supported',
  title: 'AKS agent pools run a Kubernetes version AKS still supports in their location',
  provider: 'azure',
  service: 'aks',
  severity: 'high',
  category: 'versions',
  needs: ['aks:ListManagedClusters', 'aks:ListKubernetesVersions'],
  reads: [
    'agentPoolProfiles[].currentOrchestratorVersion',
    'agentPoolProfiles[].orchestratorVersion',
    'supportPlan',
    'listKubernetesVersions.values[].version',
    'listKubernetesVersions.values[].patchVersions',
    'listKubernetesVersions.values[].capabilities.supportPlan',
    'listKubernetesVersions.values[].isPreview',
  ],
  frameworks: {},
  risk: 'An agent pool can stay on an older version than its control plane. On a minor version AKS no longer lists (or lists only for long-term support the cluster does not have) its kubelet and node components get no security fixes and the pool is outside AKS support; on a patch AKS withdrew it misses the fixes the newer patches carry. Checking only the control plane misses both.',
  remediation: {
    text: "Upgrade the agent pool to a patch AKS lists for the location (az aks get-versions), one minor version at a time, or enrol the cluster in long-term support. The list is read from AKS's own listKubernetesVersions answer, never from a table.",
    cli: 'az aks nodepool upgrade --resource-group <rg> --cluster-name <cluster> --name <pool> --kubernetes-version <version>',
    url: 'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions',
    'https://learn.microsoft.com/rest/api/aks/managed-clusters/list-kubernetes-versions',
    'https://learn.microsoft.com/azure/aks/long-term-support',
  ],
  severityRationale:
    'High for a minor version AKS no longer supports for the cluster (no fixes for new CVEs); medium for a withdrawn patch of a supported minor, or a preview-only version (supported minor, missing fixes or not production-supported).',
  evaluate(s) {
    const versions = s.kubernetesVersions;
    if (!versions)
      return [
        clusterResult(s, 'ERROR', 'Cannot evaluate agent pool versions: the supported versions were not collected', {}),
      ];
    if (versions.length === 0)
      return [clusterResult(s, 'ERROR', 'Cannot evaluate agent pool versions: AKS listed no versions', {})];
    const supported = versions.filter((v) => !v.isPreview).map((v) => v.version ?? '');
    const lts = s.cluster.supportPlan === 'AKSLongTermSupport';
    return (s.cluster.agentPoolProfiles ?? []).map((p: ManagedClusterAgentPoolProfile): CheckResult => {
      const version = p.currentOrchestratorVersion ?? p.orchestratorVersion ?? '';
      const v = minorOf(version);
      const base = {
        version: version || null,
        supportPlan: s.cluster.supportPlan ?? null,
        supportedMinorVersions: supported,
      };
      const fail = (message: string, severity: Severity, evidence: Record<string, unknown> = base): CheckResult => ({
        ...poolResult(s, p.name, 'FAIL', message, evidence),
        severity,
      });
      if (!v) return poolResult(s, p.name, 'ERROR', `Cannot evaluate agent pool ${p.name}: no version reported`, base);
      const minor = `${v[0]}.${v[1]}`;
      const entry = versions.find((x) => x.version === minor);
      if (!entry)
        return fail(
          `Agent pool ${p.name} runs ${version}: AKS no longer supports ${minor} in ${s.region} (supported: ${supported.join(', ')})`,
          'high',
        );
      const plans = entry.capabilities?.supportPlan ?? [];
      const evidence = { ...base, listedSupportPlans: plans };
      if (entry.isPreview)
        return fail(`Agent pool ${p.name} runs ${version}, which AKS lists only as a preview`, 'medium', evidence);
      if (!plans.includes('KubernetesOfficial') && !lts)
        return fail(
          `Agent pool ${p.name} runs ${version}: ${minor} is only in AKS long-term support, and the cluster's supportPlan is ${s.cluster.supportPlan ?? 'not set'}`,
          'high',
          evidence,
        );
      // `1.32` (a minor alias with no current patch reported) is judged on its minor alone.
      if (/^\d+\.\d+\.\d+/.test(version)) {
        const patches = Object.keys(entry.patchVersions ?? {}).sort(compareNumeric);
        if (patches.length === 0)
          return poolResult(
            s,
            p.name,
            'ERROR',
            `Cannot evaluate agent pool ${p.name}: AKS listed no patch versions for ${minor}`,
            evidence,
          );
        if (!patches.includes(version))
          return fail(
            `Agent pool ${p.name} runs ${version}, a patch AKS no longer offers in ${s.region} (offered for ${minor}: ${patches.join(', ')})`,
            'medium',
            { ...evidence, offeredPatches: patches },
          );
      }
      return poolResult(
        s,
        p.name,
        'PASS',
        `Agent pool ${p.name} runs ${version}, which AKS supports in ${s.region}`,
        evidence,
      );
    });
  },
});
