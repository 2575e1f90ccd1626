import { defineCheck } from '../../core/check.ts';
import { DNS, dnsExposure } from './endpoints.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.ENDPOINT.2',
  slug: 'gke-dns-endpoint-internal',
  title: 'GKE DNS-based control plane endpoint does not accept traffic from the internet',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'endpoint',
  needs: ['gke:ListClusters'],
  reads: [`${DNS}.endpoint`, `${DNS}.allowExternalTraffic`],
  // CIS GKE 1.9 predates the DNS endpoint: no control maps to it.
  frameworks: {},
  risk: 'With allowExternalTraffic, the DNS endpoint (gke-<id>.<location>.gke.goog) is reachable from any internet address, whatever the IP endpoint and authorized-network settings say. Only IAM (container.clusters.connect) and VPC Service Controls, if configured, stand in front of the API server, so a leaked Google credential with that permission reaches it from anywhere.',
  remediation: {
    text: 'Turn off external traffic on the DNS endpoint unless clients outside Google Cloud need it; where it must stay on, keep container.clusters.connect to few principals and put the project in a VPC Service Controls perimeter.',
    cli: 'gcloud container clusters update <cluster> --location <location> --no-enable-dns-access',
    url: 'https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation#dns-based_endpoint',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation',
    'https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#ControlPlaneEndpointsConfig',
  ],
  severityRationale:
    'Medium, below an open IP endpoint (GKE.ENDPOINT.1, high): every request to the DNS endpoint is checked by IAM before it reaches the API server, so the internet-wide surface needs a Google identity, not only a Kubernetes credential.',
  evaluate(s) {
    const x = dnsExposure(s.cluster);
    const fieldsRead = [`${DNS}.endpoint`, `${DNS}.allowExternalTraffic`];
    if (x.kind === 'unknown')
      return [
        clusterResult(s, 'ERROR', `Cannot tell whether the DNS endpoint is reachable: ${x.reason}`, { fieldsRead }),
      ];
    if (x.kind === 'none')
      return [
        clusterResult(s, 'NOT_APPLICABLE', 'The cluster has no DNS-based control plane endpoint', { fieldsRead }),
      ];
    const evidence = { fieldsRead, dnsEndpoint: x.endpoint, allowExternalTraffic: x.kind === 'external' };
    if (x.kind === 'external')
      return [
        clusterResult(
          s,
          'FAIL',
          `The DNS endpoint ${x.endpoint} accepts traffic from the internet (allowExternalTraffic): only IAM (container.clusters.connect) protects it`,
          evidence,
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        `The DNS endpoint ${x.endpoint} accepts traffic from Google Cloud networks only`,
        evidence,
      ),
    ];
  },
});
