import { defineCheck } from '../../core/check.ts';
import { isWindowsPool, poolResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.NODES.1',
  slug: 'gke-node-image-cos-containerd',
  title: 'GKE Linux node pools use Container-Optimized OS with containerd',
  provider: 'gcp',
  service: 'gke',
  severity: 'low',
  category: 'nodes',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.5.1'] },
  risk: 'Ubuntu and other general-purpose node images carry a larger attack surface (package manager, writable root, more services) than Container-Optimized OS, whose read-only root and minimal userland GKE patches for you. An Ubuntu pool fails here, unlike in peers whose COS check never fires.',
  remediation: {
    text: 'Create a COS_CONTAINERD node pool, move workloads, and delete the old pool (unless a workload truly needs Ubuntu).',
    cli: 'gcloud container node-pools create <pool> --cluster <cluster> --location <location> --image-type COS_CONTAINERD',
    url: 'https://cloud.google.com/kubernetes-engine/docs/concepts/node-images',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/concepts/node-images'],
  severityRationale: 'Low: hardening of the node OS; Ubuntu is supported and patched, the gap is attack surface.',
  evaluate(s) {
    return (s.cluster.nodePools ?? []).map((p) => {
      const image = p.config?.imageType ?? '';
      if (isWindowsPool(p))
        return poolResult(
          s,
          p,
          'NOT_APPLICABLE',
          `Node pool ${p.name} is a Windows pool (${image}); COS applies to Linux only`,
          { imageType: image },
        );
      if (!image)
        return poolResult(
          s,
          p,
          'ERROR',
          `Cannot evaluate node image of pool ${p.name}: config.imageType is not reported`,
          {},
        );
      return /^COS_CONTAINERD$/i.test(image)
        ? poolResult(s, p, 'PASS', `Node pool ${p.name} uses ${image}`, { imageType: image })
        : poolResult(s, p, 'FAIL', `Node pool ${p.name} uses ${image}, not COS_CONTAINERD`, { imageType: image });
    });
  },
});
