import { defineCheck } from '../../core/check.ts';
import { shortList } from './lib/access.ts';
import { irsaRolesOf } from './lib/irsa.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'the IAM OIDC provider';

export default defineCheck({
  id: 'EKS.IDENTITY.4',
  slug: 'eks-irsa-oidc-provider-exists',
  title: 'Roles used for IRSA have the cluster IAM OIDC provider they trust',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'identity',
  needs: ['eks:DescribeCluster', 'iam:ListRoles', 'iam:ListOpenIDConnectProviders'],
  reads: [
    'eks:DescribeCluster cluster.identity.oidc.issuer',
    'iam:ListRoles AssumeRolePolicyDocument (roles trusting the issuer)',
    'iam:ListOpenIDConnectProviders (the provider exists)',
  ],
  frameworks: {},
  risk: "When roles trust the cluster's OIDC issuer but the account has no IAM OIDC provider for it (deleted, or never created), STS rejects every web-identity token: IRSA is broken and workloads fall back to whatever other credentials they find, usually the node role.",
  remediation: {
    text: "Create the IAM OIDC provider for the cluster's issuer (audience sts.amazonaws.com), or remove the roles that trust it.",
    cli: 'aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer --output text && eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html',
  },
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html'],
  severityRationale:
    'Medium: a broken IRSA setup denies credentials rather than granting them, but the pods fall back to the node role, which is shared by every pod on the node.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const { hostPath, roles } = irsaRolesOf(s);
    if (!hostPath) return [clusterResult(s, 'PASS', 'The cluster has no OIDC issuer: no role can depend on it', {})];
    const provider = s.oidcProviders.find((arn) =>
      arn.toLowerCase().endsWith(`:oidc-provider/${hostPath}`.toLowerCase()),
    );
    const evidence = { oidcIssuer: hostPath, oidcProvider: provider ?? null, irsaRoles: roles.map((r) => r.role.arn) };
    if (provider) {
      return [
        clusterResult(s, 'PASS', `IAM OIDC provider ${provider} exists for ${roles.length} IRSA role(s)`, evidence),
      ];
    }
    if (roles.length === 0) {
      return [
        clusterResult(
          s,
          'PASS',
          `No IAM OIDC provider for ${hostPath}, and no role trusts it: IRSA is not in use`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'FAIL',
        `IRSA is broken: ${roles.length} role(s) trust ${hostPath} but the account has no IAM OIDC provider for it: ${shortList(
          roles.map((r) => r.role.arn),
          3,
        )}`,
        evidence,
      ),
    ];
  },
});
