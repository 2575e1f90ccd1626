import { defineCheck } from '../../core/check.ts';
import { poolResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.NODES.2',
  slug: 'gke-node-auto-upgrade',
  title: 'GKE node pools have auto-upgrade enabled',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'nodes',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.5.3'] },
  risk: 'Without auto-upgrade, node pools keep their kubelet, containerd and OS image until someone upgrades them: security patches are missed and version skew with the control plane grows.',
  remediation: {
    text: 'Enable auto-upgrade on the pool, with a maintenance window and surge settings that suit the workloads.',
    cli: 'gcloud container node-pools update <pool> --cluster <cluster> --location <location> --enable-autoupgrade',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/node-auto-upgrades',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/node-auto-upgrades'],
  severityRationale: 'Medium: patches stop arriving; exploitation still needs a reachable vulnerability.',
  evaluate(s) {
    return (s.cluster.nodePools ?? []).map((p) =>
      p.management?.autoUpgrade === true
        ? poolResult(s, p, 'PASS', `Node pool ${p.name} upgrades automatically`, { autoUpgrade: true })
        : poolResult(s, p, 'FAIL', `Node pool ${p.name} has auto-upgrade disabled`, { autoUpgrade: false }),
    );
  },
});
