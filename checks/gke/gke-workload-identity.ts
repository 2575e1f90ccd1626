import { defineCheck } from '../../core/check.ts';
import { clusterResult, ENUMS, enumName, isWindowsPool } from './lib.ts';

export default defineCheck({
  id: 'GKE.IDENTITY.1',
  slug: 'gke-workload-identity',
  title: 'GKE Workload Identity is enabled, with every node pool on the GKE metadata server',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'identity',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.2.2', '5.4.1'] },
  risk: 'Without Workload Identity, or on a node pool still exposing the Compute Engine metadata server, every pod can fetch the node service account token and the kube-env bootstrap credentials: one compromised pod acts as the node.',
  remediation: {
    text: 'Enable Workload Identity on the cluster, then set every node pool to the GKE metadata server.',
    cli: 'gcloud container node-pools update <pool> --cluster <cluster> --location <location> --workload-metadata=GKE_METADATA',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity'],
  severityRationale: 'Medium: needs a pod compromise first, then gives node-level cloud credentials.',
  evaluate(s) {
    const pool = s.cluster.workloadIdentityConfig?.workloadPool ?? '';
    const autopilot = s.cluster.autopilot?.enabled === true;
    const pools = (s.cluster.nodePools ?? []).filter((p) => !isWindowsPool(p));
    const modes = pools.map((p) => ({
      pool: p.name,
      mode: enumName(p.config?.workloadMetadataConfig?.mode, ENUMS.workloadMetadataMode) ?? 'unset',
    }));
    const evidence = { workloadPool: pool || null, autopilot, nodePools: modes };
    if (autopilot) return [clusterResult(s, 'PASS', 'Autopilot cluster: Workload Identity is always on', evidence)];
    if (!pool)
      return [
        clusterResult(
          s,
          'FAIL',
          'workloadIdentityConfig.workloadPool is not set: pods use the node service account',
          evidence,
        ),
      ];
    const bad = modes.filter((m) => m.mode !== 'GKE_METADATA');
    if (bad.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `Workload Identity is on (${pool}) but node pool(s) ${bad.map((b) => `${b.pool} (${b.mode})`).join(', ')} expose the Compute Engine metadata server`,
          evidence,
        ),
      ];
    return [
      clusterResult(s, 'PASS', `Workload Identity is on (${pool}) and every node pool uses GKE_METADATA`, evidence),
    ];
  },
});
