import { defineCheck } from '../../core/check.ts';
import { poolResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.NODES.1',
  slug: 'aks-node-image-current',
  title: 'AKS node pools run the latest node image',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'nodes',
  needs: ['aks:ListManagedClusters', 'aks:GetAgentPoolUpgradeProfile'],
  reads: [
    'aks:ListManagedClusters agentPoolProfiles[].{name,nodeImageVersion}',
    'aks:GetAgentPoolUpgradeProfile latestNodeImageVersion',
  ],
  frameworks: {},
  risk: 'AKS ships OS and runtime security fixes for nodes as weekly node images; a pool behind the latest image runs kernels, containerd and OS packages with known, published vulnerabilities.',
  remediation: {
    text: 'Upgrade the pool node image, and set the node OS upgrade channel to NodeImage (or SecurityPatch) with a maintenance window so it stays current.',
    cli: 'az aks nodepool upgrade --resource-group <rg> --cluster-name <cluster> --name <pool> --node-image-only',
    url: 'https://learn.microsoft.com/azure/aks/node-image-upgrade',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/node-image-upgrade',
    'https://learn.microsoft.com/rest/api/aks/agent-pools/get-upgrade-profile',
  ],
  severityRationale:
    'Medium: exploitation needs a foothold on the node or a reachable vulnerable service, but the fixes are public.',
  evaluate(s) {
    return (s.cluster.agentPoolProfiles ?? []).map((p) => {
      const name = p.name ?? '';
      const latest = s.agentPoolUpgradeProfiles[name]?.latestNodeImageVersion;
      const current = p.nodeImageVersion;
      const evidence = { pool: name, nodeImageVersion: current ?? null, latestNodeImageVersion: latest ?? null };
      if (!latest || !current)
        return poolResult(
          s,
          name,
          'ERROR',
          `Cannot evaluate node image of pool ${name}: ${!current ? 'nodeImageVersion' : 'latestNodeImageVersion'} is not known`,
          evidence,
        );
      return current === latest
        ? poolResult(s, name, 'PASS', `Pool ${name} runs the latest node image ${current}`, evidence)
        : poolResult(s, name, 'FAIL', `Pool ${name} runs node image ${current}; the latest is ${latest}`, evidence);
    });
  },
});
