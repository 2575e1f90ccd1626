import { defineCheck } from '../../core/check.ts';
import { clusterResult, isWindowsPool } from './lib.ts';

export default defineCheck({
  id: 'GKE.NODES.3',
  slug: 'gke-shielded-nodes-secure-boot',
  title: 'GKE uses Shielded GKE Nodes with Secure Boot on every node pool',
  provider: 'gcp',
  service: 'gke',
  severity: 'low',
  category: 'nodes',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.5.5', '5.5.7'] },
  risk: 'Without Shielded GKE Nodes, an attacker who steals a node bootstrap credential can impersonate a node and read secrets scheduled to it; without Secure Boot, a node can run a tampered bootloader or kernel module (rootkit) undetected.',
  remediation: {
    text: 'Enable Shielded GKE Nodes on the cluster and create node pools with Secure Boot.',
    cli: 'gcloud container node-pools create <pool> --cluster <cluster> --location <location> --shielded-secure-boot --shielded-integrity-monitoring',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes'],
  severityRationale: 'Low: defence in depth against node-level attackers who already have a foothold.',
  evaluate(s) {
    const shielded = s.cluster.shieldedNodes?.enabled === true;
    const pools = (s.cluster.nodePools ?? []).filter((p) => !isWindowsPool(p));
    const noSecureBoot = pools
      .filter((p) => p.config?.shieldedInstanceConfig?.enableSecureBoot !== true)
      .map((p) => p.name ?? '');
    const evidence = { shieldedNodes: shielded, poolsWithoutSecureBoot: noSecureBoot };
    const problems = [
      !shielded && 'Shielded GKE Nodes is disabled',
      noSecureBoot.length > 0 && `Secure Boot is off on ${noSecureBoot.join(', ')}`,
    ].filter(Boolean);
    return problems.length > 0
      ? [clusterResult(s, 'FAIL', problems.join('; '), evidence)]
      : [clusterResult(s, 'PASS', 'Shielded GKE Nodes is on and every Linux node pool uses Secure Boot', evidence)];
  },
});
