import { defineCheck } from '../../core/check.ts';
import { clusterResult, minorOf } from './lib.ts';

export default defineCheck({
  id: 'GKE.VERSIONS.3',
  slug: 'gke-kubernetes-version-supported',
  title: 'GKE control plane runs a minor version GKE still offers',
  provider: 'gcp',
  service: 'gke',
  severity: 'high',
  category: 'versions',
  needs: ['gke:ListClusters', 'gke:GetServerConfig'],
  frameworks: {},
  risk: 'A minor version that the location server config no longer lists (neither as a valid master version nor in any release channel) is past end of support: no new patches, and GKE will force-upgrade it.',
  remediation: {
    text: 'Upgrade the control plane to a supported minor version, then the node pools.',
    cli: 'gcloud container clusters upgrade <cluster> --location <location> --master --cluster-version <version>',
    url: 'https://cloud.google.com/kubernetes-engine/versioning',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/versioning',
    'https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations/getServerConfig',
  ],
  severityRationale: 'High: an unsupported control plane gets no fixes for new CVEs.',
  evaluate(s) {
    const version = s.cluster.currentMasterVersion ?? '';
    const v = minorOf(version);
    if (!v)
      return [clusterResult(s, 'ERROR', 'Cannot evaluate version support: currentMasterVersion is not reported', {})];
    const cfg = s.serverConfig;
    if (!cfg)
      return [clusterResult(s, 'ERROR', 'Cannot evaluate version support: the server config was not collected', {})];
    const offered = [...(cfg.validMasterVersions ?? []), ...(cfg.channels ?? []).flatMap((c) => c.validVersions ?? [])];
    const minors = [
      ...new Set(
        offered
          .map((x) => minorOf(x))
          .filter((x) => x !== undefined)
          .map((x) => `${x[0]}.${x[1]}`),
      ),
    ].sort();
    const minor = `${v[0]}.${v[1]}`;
    const evidence = { currentMasterVersion: version, offeredMinorVersions: minors };
    if (minors.length === 0)
      return [
        clusterResult(s, 'ERROR', 'Cannot evaluate version support: the server config lists no versions', evidence),
      ];
    return minors.includes(minor)
      ? [clusterResult(s, 'PASS', `Kubernetes ${version} is a supported minor version in ${s.region}`, evidence)]
      : [
          clusterResult(
            s,
            'FAIL',
            `Kubernetes ${version} is no longer offered in ${s.region} (offered: ${minors.join(', ')})`,
            evidence,
          ),
        ];
  },
});
