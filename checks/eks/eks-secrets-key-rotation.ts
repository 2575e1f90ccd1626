import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib/results.ts';
import { NOT_READ, secretsKeyOf } from './lib/secrets-key.ts';

export default defineCheck({
  id: 'EKS.ENCRYPTION.3',
  slug: 'eks-secrets-key-rotation',
  title: 'The customer-managed KMS key that encrypts EKS Secrets rotates automatically',
  provider: 'aws',
  service: 'kms',
  severity: 'medium',
  category: 'encryption',
  needs: ['eks:DescribeCluster', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'],
  reads: [
    'eks:DescribeCluster cluster.encryptionConfig[].provider.keyArn',
    'kms:DescribeKey KeyMetadata.{AWSAccountId,KeyManager,Origin,KeyState}',
    'kms:GetKeyRotationStatus KeyRotationEnabled',
  ],
  frameworks: {},
  risk: 'Without automatic rotation the same key material protects every Secret for the key’s whole life: more data under one key, and a longer window for material exposed through a misused decrypt grant. Most standards (CIS AWS, PCI DSS) expect yearly rotation of customer-managed keys.',
  remediation: {
    text: 'Turn on automatic rotation of the key (KMS keeps old material to decrypt existing data; EKS needs no change).',
    cli: 'aws kms enable-key-rotation --key-id <key-arn>',
    url: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
  },
  references: [
    'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
    'https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html',
  ],
  severityRationale:
    'Medium: rotation limits how much data one key version protects; it does not stop an attacker who can already call kms:Decrypt.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'rotation of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyArn, facts, owner } = k;
    if (facts?.notFound)
      return [clusterResult(s, 'NOT_APPLICABLE', `KMS key ${keyArn} does not exist (EKS.ENCRYPTION.2)`, { keyArn })];
    const m = facts?.metadata;
    if (!m) return [clusterResult(s, 'ERROR', `Cannot evaluate rotation of ${keyArn}: ${NOT_READ}`, { keyArn })];
    const evidence = {
      keyArn,
      keyOwner: owner ?? null,
      keyManager: m.KeyManager ?? null,
      origin: m.Origin ?? null,
      keyState: m.KeyState ?? null,
      rotationEnabled: facts.rotationEnabled ?? null,
    };
    if (owner !== s.accountId)
      return [
        clusterResult(
          s,
          'NOT_APPLICABLE',
          `KMS key ${keyArn} belongs to account ${owner ?? '(unknown)'}: its rotation is that account's to manage (EKS.ENCRYPTION.4)`,
          evidence,
        ),
      ];
    if (m.KeyManager === 'AWS')
      return [clusterResult(s, 'NOT_APPLICABLE', `KMS key ${keyArn} is AWS-managed: AWS rotates it yearly`, evidence)];
    if (m.Origin === 'EXTERNAL')
      return [
        clusterResult(
          s,
          'NOT_APPLICABLE',
          `KMS key ${keyArn} has imported key material, which KMS cannot rotate automatically: rotate it by hand`,
          evidence,
        ),
      ];
    if (m.KeyState !== 'Enabled' && m.KeyState !== 'Disabled')
      return [
        clusterResult(
          s,
          'NOT_APPLICABLE',
          `KMS key ${keyArn} is ${m.KeyState ?? 'in no reported state'}: rotation is moot (EKS.ENCRYPTION.2)`,
          evidence,
        ),
      ];
    if (facts.rotationEnabled === undefined)
      return [
        clusterResult(s, 'ERROR', `Cannot evaluate rotation of ${keyArn}: GetKeyRotationStatus was not read`, evidence),
      ];
    if (facts.rotationEnabled) return [clusterResult(s, 'PASS', `KMS key ${keyArn} rotates automatically`, evidence)];
    return [
      clusterResult(
        s,
        'FAIL',
        `Automatic rotation is off for customer-managed KMS key ${keyArn}, which encrypts Secrets`,
        evidence,
      ),
    ];
  },
});
