import { defineCheck } from '../../core/check.ts';
import { minorOf, poolResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.VERSIONS.2',
  slug: 'gke-node-version-skew',
  title: 'GKE node pools run the same minor version as the control plane',
  provider: 'gcp',
  service: 'gke',
  severity: 'low',
  category: 'versions',
  needs: ['gke:ListClusters'],
  frameworks: {},
  risk: 'A node pool minor versions behind the control plane runs an older kubelet with fixes missing, and blocks the next control-plane upgrade once the skew reaches the supported limit of two minor versions.',
  remediation: {
    text: 'Upgrade the node pool to the control plane version.',
    cli: 'gcloud container clusters upgrade <cluster> --location <location> --node-pool <pool>',
    url: 'https://cloud.google.com/kubernetes-engine/versioning#version_skew',
  },
  references: ['https://cloud.google.com/kubernetes-engine/versioning#version_skew'],
  severityRationale: 'Low while within the supported skew; the message says when it is at or past the limit.',
  evaluate(s) {
    const master = minorOf(s.cluster.currentMasterVersion);
    return (s.cluster.nodePools ?? []).map((p) => {
      const node = minorOf(p.version);
      const evidence = { controlPlane: s.cluster.currentMasterVersion ?? null, nodePool: p.version ?? null };
      if (!master || !node)
        return poolResult(
          s,
          p,
          'ERROR',
          `Cannot evaluate version skew of pool ${p.name}: a version is not reported`,
          evidence,
        );
      const skew = master[0] === node[0] ? master[1] - node[1] : 99;
      if (skew <= 0)
        return poolResult(s, p, 'PASS', `Node pool ${p.name} runs ${p.version}, the control plane's minor version`, {
          ...evidence,
          skew,
        });
      const limit = skew >= 2 ? ` (${skew > 2 ? 'beyond' : 'at'} the supported skew of 2)` : '';
      return poolResult(
        s,
        p,
        'FAIL',
        `Node pool ${p.name} runs ${p.version}, ${skew} minor version(s) behind the control plane ${s.cluster.currentMasterVersion}${limit}`,
        { ...evidence, skew },
      );
    });
  },
});
