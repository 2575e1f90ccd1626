import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.ACCESS.2',
  slug: 'gke-no-static-credentials',
  title: 'GKE cluster issues no client certificate and has no basic-auth password',
  provider: 'gcp',
  service: 'gke',
  severity: 'high',
  category: 'access',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.8.1'] },
  risk: 'A legacy client certificate or basic-auth password is a static, non-revocable credential for the cluster, readable by anyone with container.clusters.getCredentials, and bypasses Google identity and its audit trail.',
  remediation: {
    text: 'Recreate the cluster without a client certificate (the default since GKE 1.12) and without basic authentication (removed); rotate credentials to invalidate an issued certificate.',
    cli: 'gcloud container clusters create <cluster> --location <location> --no-issue-client-certificate',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication#legacy-auth',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication#legacy-auth'],
  severityRationale: 'High: a static credential that cannot be revoked is a permanent way in once copied.',
  evaluate(s) {
    const auth = s.cluster.masterAuth ?? {};
    const cert = Boolean(auth.clientCertificate) || auth.clientCertificateConfig?.issueClientCertificate === true;
    const basic = Boolean(auth.username) || Boolean(auth.password);
    const evidence = { clientCertificate: cert, basicAuth: basic };
    const found = [cert && 'a client certificate is issued', basic && 'basic authentication is configured'].filter(
      Boolean,
    );
    return found.length > 0
      ? [clusterResult(s, 'FAIL', `Static credentials exist: ${found.join(' and ')}`, evidence)]
      : [clusterResult(s, 'PASS', 'No client certificate and no basic-auth credentials', evidence)];
  },
});
