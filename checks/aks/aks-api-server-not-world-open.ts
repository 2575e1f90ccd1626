import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

const WORLD = new Set(['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '::/0']);

export default defineCheck({
  id: 'AKS.ENDPOINT.1',
  slug: 'aks-api-server-not-world-open',
  title: 'AKS API server is private or limited to authorized IP ranges',
  provider: 'azure',
  service: 'aks',
  severity: 'high',
  category: 'endpoint',
  needs: ['aks:ListManagedClusters'],
  reads: [
    'aks:ListManagedClusters apiServerAccessProfile.{enablePrivateCluster,authorizedIPRanges,enablePrivateClusterPublicFqdn}',
  ],
  frameworks: { 'cis-aks-1.8': ['5.4.1', '5.4.2'] },
  risk: 'A public AKS API server without authorizedIPRanges accepts connections from any internet address: leaked kubeconfigs, local-account credentials and API-server vulnerabilities become exploitable from anywhere.',
  remediation: {
    text: 'Make the cluster private (API server on a private endpoint in your VNet), or set authorizedIPRanges to the networks that must reach it (office egress, VPN, CI runners, the cluster egress IP).',
    cli: 'az aks update --resource-group <rg> --name <cluster> --api-server-authorized-ip-ranges 203.0.113.0/24',
    url: 'https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges',
    'https://learn.microsoft.com/azure/aks/private-clusters',
  ],
  severityRationale:
    'High, as for EKS: requests still need credentials, but an internet-wide API server turns any credential leak or API-server CVE into remote compromise.',
  evaluate(s) {
    const access = s.cluster.apiServerAccessProfile ?? {};
    const ranges = access.authorizedIPRanges ?? [];
    const evidence = { enablePrivateCluster: access.enablePrivateCluster ?? false, authorizedIPRanges: ranges };
    if (access.enablePrivateCluster) {
      const fqdn = access.enablePrivateClusterPublicFqdn ? ' (its public FQDN resolves to the private address)' : '';
      return [
        clusterResult(
          s,
          'PASS',
          `The API server is private: reachable only from the cluster's network${fqdn}`,
          evidence,
        ),
      ];
    }
    if (ranges.length === 0)
      return [
        clusterResult(
          s,
          'FAIL',
          'The API server is public and authorizedIPRanges is empty, so any internet address can reach it',
          evidence,
        ),
      ];
    const open = ranges.filter((r) => WORLD.has(r.trim()));
    if (open.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `The API server is public and authorizedIPRanges contains ${open.join(', ')}`,
          evidence,
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        `The public API server is limited to ${ranges.length} authorized range(s): ${ranges.join(', ')}`,
        evidence,
      ),
    ];
  },
});
