import { defineCheck } from '../../core/check.ts';
import { clusterResult, ENUMS, enumName } from './lib.ts';

export default defineCheck({
  id: 'GKE.VERSIONS.1',
  slug: 'gke-release-channel',
  title: 'GKE cluster is enrolled in a release channel',
  provider: 'gcp',
  service: 'gke',
  severity: 'low',
  category: 'versions',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.5.4'] },
  risk: 'A cluster outside release channels (a static version) gets no automatic control-plane patch versions on a known cadence and is upgraded by GKE only when its version reaches end of life.',
  remediation: {
    text: 'Enrol the cluster in the REGULAR (or STABLE) release channel.',
    cli: 'gcloud container clusters update <cluster> --location <location> --release-channel regular',
    url: 'https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels'],
  severityRationale: 'Low: a process setting; GKE.VERSIONS.3 reports actual support.',
  evaluate(s) {
    const channel = enumName(s.cluster.releaseChannel?.channel, ENUMS.releaseChannel) ?? 'UNSPECIFIED';
    return channel === 'UNSPECIFIED'
      ? [clusterResult(s, 'FAIL', 'The cluster is not in a release channel (static version)', { channel })]
      : [clusterResult(s, 'PASS', `The cluster is in the ${channel} release channel`, { channel })];
  },
});
