import { defineCheck } from '../../core/check.ts';
import { deprecatedSaysPrivate, ipExposure, NEW as NEW_SOURCE } from './endpoints.ts';
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
  reads: [
    'controlPlaneEndpointsConfig.ipEndpointsConfig.enabled',
    'controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint',
    'controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig.{enabled,cidrBlocks,gcpPublicCidrsAccessEnabled}',
    'privateClusterConfig.enablePrivateEndpoint (deprecated; only when controlPlaneEndpointsConfig is absent)',
    'masterAuthorizedNetworksConfig (deprecated; only when controlPlaneEndpointsConfig is absent)',
  ],
  frameworks: { 'cis-gke-1.9': ['5.6.3', '5.6.4'] },
  risk: 'A public GKE IP endpoint without master authorized networks accepts connections from any internet address; with gcpPublicCidrsAccessEnabled, from any Google Cloud VM of any customer. Leaked credentials and API-server vulnerabilities become exploitable from there.',
  remediation: {
    text: 'Disable the public endpoint (private endpoint only), or enable master authorized networks listing only the networks that must reach it, and turn off access from Google Cloud public IPs.',
    cli: 'gcloud container clusters update <cluster> --location <location> --enable-master-authorized-networks --master-authorized-networks 203.0.113.0/24 --no-enable-google-cloud-access',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks',
    'https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation',
    'https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#ControlPlaneEndpointsConfig',
  ],
  severityRationale:
    'High, as for EKS and AKS: credentials are still needed, but the attack surface is the whole internet.',
  evaluate(s) {
    const c = s.cluster;
    const x = ipExposure(c);
    const base = { source: x.source, fieldsRead: x.fields };
    if (x.kind === 'unknown')
      return [clusterResult(s, 'ERROR', `Cannot tell whether the control plane has a public IP: ${x.reason}`, base)];
    if (x.kind === 'ip-disabled')
      return [
        clusterResult(
          s,
          'PASS',
          'IP endpoints are disabled (controlPlaneEndpointsConfig.ipEndpointsConfig.enabled = false): the control plane has no IP address to reach; the DNS endpoint is GKE.ENDPOINT.2',
          { ...base, ipEndpointsEnabled: false, deprecatedPrivateEndpoint: deprecatedSaysPrivate(c) },
        ),
      ];
    const man = x.networks;
    const evidence = {
      ...base,
      privateEndpoint: x.kind === 'private-only',
      masterAuthorizedNetworks: man.enabled,
      cidrBlocks: man.cidrBlocks,
      gcpPublicCidrsAccessEnabled: man.gcpPublicCidrsAccessEnabled,
      // When the new block decides and the deprecated field disagrees, show both: reviewers trust the old field.
      ...(x.source === NEW_SOURCE ? { deprecatedPrivateEndpoint: deprecatedSaysPrivate(c) } : {}),
    };
    if (x.kind === 'private-only')
      return [clusterResult(s, 'PASS', 'The control plane has no public endpoint (private endpoint only)', evidence)];
    const drift =
      x.source === NEW_SOURCE && deprecatedSaysPrivate(c) === true
        ? ' (the deprecated privateClusterConfig.enablePrivateEndpoint says private, but controlPlaneEndpointsConfig, which GKE now honours, has the public endpoint on)'
        : '';
    if (!man.enabled)
      return [
        clusterResult(
          s,
          'FAIL',
          `The public endpoint is on and master authorized networks is disabled: any internet address can reach it${drift}`,
          evidence,
        ),
      ];
    const open = man.cidrBlocks.filter((b) => WORLD.has(b));
    if (open.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `The public endpoint is open to the internet: authorized networks contain ${open.join(', ')}${drift}`,
          evidence,
        ),
      ];
    if (man.gcpPublicCidrsAccessEnabled)
      return [
        clusterResult(
          s,
          'FAIL',
          `The public endpoint accepts every Google Cloud public IP (gcpPublicCidrsAccessEnabled), i.e. any VM of any customer${drift}`,
          evidence,
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        `The public endpoint is limited to authorized networks: ${man.cidrBlocks.join(', ') || 'none (no external access)'}`,
        evidence,
      ),
    ];
  },
});
