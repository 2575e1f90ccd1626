import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.IDENTITY.1',
  slug: 'aks-workload-identity',
  title: 'AKS cluster has Microsoft Entra Workload ID and its OIDC issuer enabled',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'identity',
  needs: ['aks:ListManagedClusters'],
  reads: [
    'aks:ListManagedClusters securityProfile.workloadIdentity.enabled',
    'aks:ListManagedClusters oidcIssuerProfile.{enabled,issuerURL}',
  ],
  frameworks: { 'cis-aks-1.8': ['5.2.1'] },
  risk: 'Without workload identity, pods reach Azure with secrets in Kubernetes (service principal keys, connection strings) or with the node managed identity, which every pod on the node shares.',
  remediation: {
    text: 'Enable the OIDC issuer and workload identity, then federate per-workload managed identities with their service accounts.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --enable-oidc-issuer --enable-workload-identity',
    url: 'https://learn.microsoft.com/azure/aks/workload-identity-overview',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/workload-identity-overview',
    'https://learn.microsoft.com/azure/aks/use-oidc-issuer',
  ],
  severityRationale:
    'Medium: the cluster lacks the safe way for pods to get Azure credentials; whether pods hold secrets instead is not visible from ARM.',
  evaluate(s) {
    const wi = s.cluster.securityProfile?.workloadIdentity?.enabled === true;
    const oidc = s.cluster.oidcIssuerProfile?.enabled === true;
    const evidence = {
      workloadIdentity: wi,
      oidcIssuer: oidc,
      issuerURL: s.cluster.oidcIssuerProfile?.issuerURL ?? null,
    };
    if (wi && oidc) return [clusterResult(s, 'PASS', 'Workload identity and the OIDC issuer are enabled', evidence)];
    const off = [!wi && 'securityProfile.workloadIdentity.enabled', !oidc && 'oidcIssuerProfile.enabled'].filter(
      Boolean,
    );
    return [
      clusterResult(
        s,
        'FAIL',
        `Workload identity is not usable: ${off.join(' and ')} ${off.length > 1 ? 'are' : 'is'} not true`,
        evidence,
      ),
    ];
  },
});
