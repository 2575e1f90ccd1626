import { defineCheck } from '../../core/check.ts';
import { poolResult } from './lib.ts';

const DEFAULT_SA = /^(default|\d+-compute@developer\.gserviceaccount\.com)$/;

export default defineCheck({
  id: 'GKE.IDENTITY.2',
  slug: 'gke-nodes-not-default-service-account',
  title: 'GKE node pools do not run as the Compute Engine default service account',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'identity',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.2.1'] },
  risk: 'The Compute Engine default service account often holds the project Editor role; nodes running as it give every process that reaches its token (any pod, without Workload Identity) write access to the project.',
  remediation: {
    text: 'Create a minimal node service account (roles/container.defaultNodeServiceAccount) and create node pools that use it.',
    cli: 'gcloud container node-pools create <pool> --cluster <cluster> --location <location> --service-account gke-nodes@<project>.iam.gserviceaccount.com',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa'],
  severityRationale:
    'Medium: the exposure depends on the default account still holding Editor, which this check cannot see.',
  evaluate(s) {
    return (s.cluster.nodePools ?? []).map((p) => {
      const sa = p.config?.serviceAccount || 'default';
      return DEFAULT_SA.test(sa)
        ? poolResult(s, p, 'FAIL', `Node pool ${p.name} runs as the Compute Engine default service account (${sa})`, {
            serviceAccount: sa,
          })
        : poolResult(s, p, 'PASS', `Node pool ${p.name} runs as ${sa}`, { serviceAccount: sa });
    });
  },
});
