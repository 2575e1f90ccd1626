import { defineCheck } from '../../core/check.ts';
import { shortList } from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';
import { POD_IDENTITY_SERVICE, podIdentityTrust } from './lib/trust.ts';

const WHAT = 'Pod Identity role trust';

export default defineCheck({
  id: 'EKS.IDENTITY.2',
  slug: 'eks-pod-identity-role-trust',
  title: 'Every Pod Identity association points at an existing role that trusts EKS Pod Identity',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'identity',
  needs: [
    'eks:DescribeCluster',
    'eks:ListPodIdentityAssociations',
    'eks:DescribePodIdentityAssociation',
    'iam:ListRoles',
  ],
  reads: [
    'eks:DescribePodIdentityAssociation association.{roleArn,targetRoleArn,namespace,serviceAccount}',
    'iam:ListRoles AssumeRolePolicyDocument (pods.eks.amazonaws.com, sts:AssumeRole and sts:TagSession)',
  ],
  frameworks: {},
  risk: 'An association whose role was deleted, or whose trust policy does not let pods.eks.amazonaws.com call sts:AssumeRole and sts:TagSession, hands its pods no credentials: they fail or fall back to the node role. A deleted role is also re-creatable by name with whatever permissions its creator chooses, and the association would hand them to the pod.',
  remediation: {
    text: 'Recreate the role or point the association at an existing one, and give the role the EKS Pod Identity trust policy: Principal Service pods.eks.amazonaws.com with Action sts:AssumeRole and sts:TagSession.',
    cli: 'aws eks update-pod-identity-association --cluster-name <cluster> --association-id <id> --role-arn <role-arn>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_PodIdentityAssociation.html',
  ],
  severityRationale:
    'Medium: a broken association denies credentials (an outage, or a fall-back to the node role) rather than granting extra access; the re-creatable role name is a risk only to those who can already create IAM roles.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const problems: { association: string; roleArn: string | null; problem: string }[] = [];
    const notCollected: string[] = [];
    for (const a of s.podIdentityAssociations) {
      const association = `${a.namespace}/${a.serviceAccount}`;
      const roleArn = a.roleArn ?? null;
      if (!roleArn) {
        problems.push({ association, roleArn, problem: 'names no role' });
        continue;
      }
      const facts = s.iam[roleArn];
      if (!facts) {
        notCollected.push(roleArn);
        continue;
      }
      if (!facts.exists) {
        problems.push({ association, roleArn, problem: 'role does not exist' });
        continue;
      }
      const trust = podIdentityTrust(facts.trustPolicy);
      const lacking = [trust.assumeRole ? '' : 'sts:AssumeRole', trust.tagSession ? '' : 'sts:TagSession'].filter(
        Boolean,
      );
      if (lacking.length > 0) {
        problems.push({
          association,
          roleArn,
          problem: `trust policy does not allow ${POD_IDENTITY_SERVICE} ${lacking.join(' and ')}`,
        });
      }
    }
    const evidence = {
      associations: s.podIdentityAssociations.map((a) => ({
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn ?? null,
        ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
      })),
      problems,
      notCollected,
    };
    if (problems.length > 0) {
      return [
        clusterResult(
          s,
          'FAIL',
          `${problems.length} Pod Identity association(s) cannot work: ${shortList(
            problems.map((p) => `${p.association} → ${p.roleArn ?? 'no role'}: ${p.problem}`),
            3,
          )}`,
          evidence,
        ),
      ];
    }
    if (notCollected.length > 0) {
      return [
        clusterResult(
          s,
          'ERROR',
          `Cannot evaluate ${WHAT}: no IAM facts collected for ${shortList(notCollected)}`,
          evidence,
        ),
      ];
    }
    if (s.podIdentityAssociations.length === 0)
      return [clusterResult(s, 'PASS', 'No Pod Identity associations', evidence)];
    return [
      clusterResult(
        s,
        'PASS',
        `All ${s.podIdentityAssociations.length} Pod Identity association(s) use existing roles that trust ${POD_IDENTITY_SERVICE}: ${shortList(
          s.podIdentityAssociations.map((a) => `${a.namespace}/${a.serviceAccount} → ${a.roleArn}`),
          3,
        )}`,
        evidence,
      ),
    ];
  },
});
