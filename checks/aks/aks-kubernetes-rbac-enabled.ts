import { defineCheck } from '../../core/check.ts';
import { clusterResult, missing } from './lib.ts';

export default defineCheck({
  id: 'AKS.ACCESS.4',
  slug: 'aks-kubernetes-rbac-enabled',
  title: 'AKS cluster has Kubernetes RBAC enabled',
  provider: 'azure',
  service: 'aks',
  severity: 'critical',
  category: 'access',
  needs: ['aks:ListManagedClusters'],
  reads: ['aks:ListManagedClusters enableRBAC'],
  frameworks: { 'cis-aks-1.8': ['5.5.1'] },
  risk: 'With Kubernetes RBAC disabled every authenticated identity, including every pod service account, is effectively cluster-admin.',
  remediation: {
    text: 'RBAC cannot be turned on in place: create a new cluster with RBAC (the default) and migrate workloads.',
    cli: 'az aks create --resource-group <rg> --name <cluster> --enable-aad --enable-azure-rbac',
    url: 'https://learn.microsoft.com/azure/aks/concepts-identity',
  },
  references: ['https://learn.microsoft.com/azure/aks/concepts-identity'],
  severityRationale: 'Critical: no authorization at all inside the cluster; any compromised pod owns it.',
  evaluate(s) {
    if (typeof s.cluster.enableRbac !== 'boolean') return [missing(s, 'enableRBAC', 'Kubernetes RBAC')];
    const evidence = { enableRBAC: s.cluster.enableRbac };
    return s.cluster.enableRbac
      ? [clusterResult(s, 'PASS', 'Kubernetes RBAC is enabled', evidence)]
      : [
          clusterResult(
            s,
            'FAIL',
            'enableRBAC is false: every authenticated identity can do anything in the cluster',
            evidence,
          ),
        ];
  },
});
