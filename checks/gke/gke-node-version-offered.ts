import { defineCheck } from '../../core/check.ts';
import { compareNumeric } from '../lib/memo.ts';
import { clusterResult, ENUMS, enumName, minorOf, poolResult } from './lib.ts';

const minorText = (v: string) => {
  const m = minorOf(v);
  return m ? `${m[0]}.${m[1]}` : v;
};

export default defineCheck({
  id: 'GKE.VERSIONS.4',
  slug: 'gke-node-version-offered',
  title: 'GKE node pools run a node version GKE still offers in their location',
  provider: 'gcp',
  service: 'gke',
  severity: 'high',
  category: 'versions',
  needs: ['gke:ListClusters', 'gke:GetServerConfig'],
  reads: [
    'nodePools[].version',
    'releaseChannel.channel',
    'getServerConfig.validNodeVersions',
    'getServerConfig.channels[].validVersions',
  ],
  frameworks: {},
  risk: "A node pool on a version the location's server config no longer lists is off GKE's supported path: a minor version GKE stopped offering gets no more patches for kubelet, container runtime or node OS and will be force-upgraded on GKE's schedule; a withdrawn patch was usually pulled for a bug or a vulnerability. Version skew (GKE.VERSIONS.2) does not catch either when the control plane is just as old.",
  remediation: {
    text: "Upgrade the node pool to a version in the server config's validNodeVersions (or the cluster's release channel), and keep auto-upgrade on so it stays there. The list is read from GKE's own getServerConfig answer for the cluster's location, never from a table.",
    cli: 'gcloud container clusters upgrade <cluster> --location <location> --node-pool <pool> --cluster-version <version>',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/upgrading-a-cluster#upgrading-nodes',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations/getServerConfig',
    'https://cloud.google.com/kubernetes-engine/versioning',
  ],
  severityRationale:
    'High when the minor version is no longer offered at all (end of support, no fixes); medium when only the patch was withdrawn (the minor still gets fixes, the pool does not have them).',
  evaluate(s) {
    const cfg = s.serverConfig;
    if (!cfg)
      return [clusterResult(s, 'ERROR', 'Cannot evaluate node versions: the server config was not collected', {})];
    const channel = enumName(s.cluster.releaseChannel?.channel, ENUMS.releaseChannel);
    const inChannel =
      channel && channel !== 'UNSPECIFIED'
        ? ((cfg.channels ?? []).find((c) => enumName(c.channel, ENUMS.releaseChannel) === channel)?.validVersions ?? [])
        : [];
    // What GKE offers nodes here: its valid node versions, plus those of the cluster's release channel.
    const offered = [...new Set([...(cfg.validNodeVersions ?? []), ...inChannel])];
    if (offered.length === 0)
      return [clusterResult(s, 'ERROR', 'Cannot evaluate node versions: the server config lists no node versions', {})];
    const offeredMinors = [...new Set(offered.map(minorText))].sort(compareNumeric);
    return (s.cluster.nodePools ?? []).map((p) => {
      const version = p.version ?? '';
      const evidence = {
        version: version || null,
        releaseChannel: channel ?? null,
        offeredMinorVersions: offeredMinors,
      };
      if (!minorOf(version))
        return poolResult(s, p, 'ERROR', `Cannot evaluate node pool ${p.name}: its version is not reported`, evidence);
      if (offered.includes(version))
        return poolResult(
          s,
          p,
          'PASS',
          `Node pool ${p.name} runs ${version}, which GKE offers in ${s.region}`,
          evidence,
        );
      const minor = minorText(version);
      const sameMinor = offered.filter((v) => minorText(v) === minor);
      if (sameMinor.length === 0)
        return {
          ...poolResult(
            s,
            p,
            'FAIL',
            `Node pool ${p.name} runs ${version}: GKE no longer offers ${minor} for nodes in ${s.region} (offered: ${offeredMinors.join(', ')})`,
            evidence,
          ),
          severity: 'high' as const,
        };
      return {
        ...poolResult(
          s,
          p,
          'FAIL',
          `Node pool ${p.name} runs ${version}, a patch GKE no longer offers in ${s.region} (offered for ${minor}: ${sameMinor.join(', ')})`,
          { ...evidence, offeredForMinor: sameMinor },
        ),
        severity: 'medium' as const,
      };
    });
  },
});
