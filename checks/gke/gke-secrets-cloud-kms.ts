import { defineCheck } from '../../core/check.ts';
import { clusterResult, ENUMS, enumName } from './lib.ts';

export default defineCheck({
  id: 'GKE.ENCRYPTION.1',
  slug: 'gke-secrets-cloud-kms',
  title: 'GKE encrypts Kubernetes secrets at the application layer with a Cloud KMS key',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'encryption',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.3.1'] },
  risk: 'Without application-layer secrets encryption, secrets in etcd are protected only by Google-managed storage encryption: you cannot rotate, disable or audit the key that protects them.',
  remediation: {
    text: 'Enable application-layer secrets encryption with a Cloud KMS key in the cluster location; grant the GKE service agent encrypter/decrypter on it.',
    cli: 'gcloud container clusters update <cluster> --location <location> --database-encryption-key projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets',
  },
  references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets'],
  severityRationale: 'Medium, as for EKS and AKS: data is encrypted at rest already; the gap is key control and audit.',
  evaluate(s) {
    const d = s.cluster.databaseEncryption;
    const state = enumName(d?.state, ENUMS.databaseEncryptionState) ?? 'unset';
    const key = d?.keyName?.trim() ?? '';
    const evidence = { state, keyName: key || null };
    if ((state === 'ENCRYPTED' || state === 'ALL_OBJECTS_ENCRYPTION_ENABLED') && key)
      return [clusterResult(s, 'PASS', `Secrets are encrypted with Cloud KMS key ${key}`, evidence)];
    return [
      clusterResult(
        s,
        'FAIL',
        `No application-layer secrets encryption: databaseEncryption.state is ${state}${key ? '' : ' and no key is named'}`,
        evidence,
      ),
    ];
  },
});
