import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.ACCESS.1',
  slug: 'gke-legacy-abac-disabled',
  title: 'GKE legacy attribute-based access control (ABAC) is disabled',
  provider: 'gcp',
  service: 'gke',
  severity: 'high',
  category: 'access',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.8.3'] },
  risk: 'Legacy ABAC grants broad permissions outside RBAC, including to service accounts of every pod; RBAC policies cannot restrict them.',
  remediation: {
    text: 'Disable legacy authorization after moving any needed grants to RBAC.',
    cli: 'gcloud container clusters update <cluster> --location <location> --no-enable-legacy-authorization',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled'],
  severityRationale: 'High: pods can act far beyond their RBAC grants.',
  evaluate(s) {
    const on = s.cluster.legacyAbac?.enabled === true;
    return [
      on
        ? clusterResult(s, 'FAIL', 'legacyAbac.enabled is true: authorization bypasses RBAC', { legacyAbac: true })
        : clusterResult(s, 'PASS', 'Legacy ABAC is disabled', { legacyAbac: false }),
    ];
  },
});
