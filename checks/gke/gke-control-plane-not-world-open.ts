import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

const WORLD = new Set(['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '::/0']);

export default defineCheck({
  id: 'GKE.ENDPOINT.1',
  slug: 'gke-control-plane-not-world-open',
  title: 'GKE control plane is private or limited to authorized networks',
  provider: 'gcp',
  service: 'gke',
  severity: 'high',
  category: 'endpoint',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.6.3', '5.6.4'] },
  risk: 'A public GKE endpoint without master authorized networks accepts connections from any internet address; with gcpPublicCidrsAccessEnabled, from any Google Cloud VM of any customer. Leaked credentials and API-server vulnerabilities become exploitable from there.',
  remediation: {
    text: 'Disable the public endpoint (private endpoint only), or enable master authorized networks listing only the networks that must reach it, and turn off access from Google Cloud public IPs.',
    cli: 'gcloud container clusters update <cluster> --location <location> --enable-master-authorized-networks --master-authorized-networks 203.0.113.0/24 --no-enable-google-cloud-access',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks',
    'https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation',
  ],
  severityRationale:
    'High, as for EKS and AKS: credentials are still needed, but the attack surface is the whole internet.',
  evaluate(s) {
    const c = s.cluster;
    const ip = c.controlPlaneEndpointsConfig?.ipEndpointsConfig;
    const privateOnly = c.privateClusterConfig?.enablePrivateEndpoint === true || ip?.enablePublicEndpoint === false;
    const man = c.masterAuthorizedNetworksConfig ?? ip?.authorizedNetworksConfig ?? {};
    const cidrs = (man.cidrBlocks ?? []).map((b) => b.cidrBlock ?? '').filter(Boolean);
    const evidence = {
      privateEndpoint: privateOnly,
      masterAuthorizedNetworks: man.enabled ?? false,
      cidrBlocks: cidrs,
      gcpPublicCidrsAccessEnabled: man.gcpPublicCidrsAccessEnabled ?? null,
    };
    if (privateOnly)
      return [clusterResult(s, 'PASS', 'The control plane has no public endpoint (private endpoint only)', evidence)];
    if (!man.enabled)
      return [
        clusterResult(
          s,
          'FAIL',
          'The public endpoint is on and master authorized networks is disabled: any internet address can reach it',
          evidence,
        ),
      ];
    const open = cidrs.filter((b) => WORLD.has(b));
    if (open.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `The public endpoint is open to the internet: authorized networks contain ${open.join(', ')}`,
          evidence,
        ),
      ];
    if (man.gcpPublicCidrsAccessEnabled)
      return [
        clusterResult(
          s,
          'FAIL',
          'The public endpoint accepts every Google Cloud public IP (gcpPublicCidrsAccessEnabled), i.e. any VM of any customer',
          evidence,
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        `The public endpoint is limited to authorized networks: ${cidrs.join(', ') || 'none (no external access)'}`,
        evidence,
      ),
    ];
  },
});
