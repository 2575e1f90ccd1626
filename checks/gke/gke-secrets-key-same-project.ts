import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';
import { secretsKeyOf } from './secrets-key.ts';

export default defineCheck({
  id: 'GKE.ENCRYPTION.4',
  slug: 'gke-secrets-key-same-project',
  title: 'The Cloud KMS key that encrypts GKE Secrets belongs to the cluster’s own project',
  provider: 'gcp',
  service: 'cloudkms',
  severity: 'medium',
  category: 'encryption',
  needs: ['gke:ListClusters'],
  reads: ['gke:ListClusters databaseEncryption.{state,keyName} (its projects/<project> segment)'],
  frameworks: {},
  risk: 'A key in another project is governed by that project’s IAM: its owners can disable or destroy the key version, or revoke the GKE service agent’s grant, and the cluster then cannot decrypt its Secrets, with nothing in this project able to stop or even see it coming (the reader is usually refused cloudkms.cryptoKeys.get there).',
  remediation: {
    text: 'Prefer a key in the cluster’s own project. If a central key project is a deliberate design, control it as tightly as this one, protect the key against destruction (IAM deny, organization policy on the destroy-scheduled duration), and grant the scanner cloudkms.cryptoKeys.get there so the key’s health can be watched.',
    cli: 'gcloud kms keys get-iam-policy <key> --keyring <ring> --location <location> --project <key-project>',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets',
    'https://cloud.google.com/kms/docs/separation-of-duties',
  ],
  severityRationale:
    'Medium, as EKS.ENCRYPTION.4: not an exposure by itself, but the availability of every Secret depends on another project’s administrators.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'the project of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyName, keyProject, evidence } = k;
    const facts = { ...evidence, clusterProject: s.accountId };
    if (keyProject === s.accountId)
      return [clusterResult(s, 'PASS', `Cloud KMS key ${keyName} belongs to the cluster's project`, facts)];
    // A project number cannot be compared with the cluster's project id without another read: not a PASS.
    if (/^\d+$/.test(keyProject))
      return [
        clusterResult(
          s,
          'ERROR',
          `Cannot tell whether project ${keyProject} (a number) is the cluster's project ${s.accountId}`,
          facts,
        ),
      ];
    return [
      clusterResult(
        s,
        'FAIL',
        `Cloud KMS key ${keyName} belongs to project ${keyProject}: that project can disable or destroy it and cut the cluster off from its Secrets`,
        facts,
      ),
    ];
  },
});
