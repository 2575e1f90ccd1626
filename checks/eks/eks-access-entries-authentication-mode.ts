import { defineCheck } from '../../core/check.ts';
import { authenticationMode, awsAuthMappings, awsAuthUnavailable, principalKey, shortList } from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'the authentication mode';

export default defineCheck({
  id: 'EKS.ACCESS.1',
  slug: 'eks-access-entries-authentication-mode',
  title: 'EKS cluster grants access through access entries only, not the aws-auth ConfigMap',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'access',
  needs: ['eks:DescribeCluster', 'eks:ListAccessEntries', 'eks:DescribeAccessEntry'],
  reads: [
    'eks:DescribeCluster cluster.accessConfig.authenticationMode',
    'eks:DescribeAccessEntry accessEntry.principalArn',
    'k8s:aws-auth mapRoles, mapUsers, mapAccounts (whether the ConfigMap still grants access)',
  ],
  frameworks: { 'cis-eks-1.8': ['4.1.7'] },
  risk: 'The aws-auth ConfigMap is deprecated. Access granted through it is invisible to the EKS and IAM APIs (no CloudTrail event names who was granted what), one malformed edit can lock every administrator out, and anyone who can write ConfigMaps in kube-system can grant themselves cluster access. While the mode is API_AND_CONFIG_MAP, every mapping left in aws-auth keeps that path open.',
  remediation: {
    text: 'Create an access entry (with an access policy or Kubernetes groups) for every principal aws-auth maps, switch the cluster to API_AND_CONFIG_MAP and then to API, and delete the aws-auth ConfigMap. The mode cannot go back once the EKS API is enabled.',
    cli: 'aws eks update-cluster-config --name <cluster> --access-config authenticationMode=API',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  severityRationale:
    'Medium: aws-auth does not by itself grant anyone more access, but it hides who has access from the AWS APIs and lets in-cluster ConfigMap writers escalate to cluster access; mappings to system:masters are reported at high by EKS.ACCESS.2.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const mode = authenticationMode(s);
    const reported = s.cluster.accessConfig?.authenticationMode ?? null;
    if (mode === 'API') {
      return [
        clusterResult(
          s,
          'PASS',
          'authenticationMode is API: access comes only from access entries; aws-auth is ignored',
          {
            authenticationMode: mode,
            accessEntries: s.accessEntries.length,
          },
        ),
      ];
    }
    if (mode === 'CONFIG_MAP') {
      return [
        clusterResult(
          s,
          'FAIL',
          `authenticationMode is CONFIG_MAP${reported ? '' : ' (not reported, so the pre-access-entry default)'}: access is granted only through the deprecated aws-auth ConfigMap, invisible to the EKS API`,
          { authenticationMode: mode, reportedAuthenticationMode: reported },
        ),
      ];
    }
    if (mode !== 'API_AND_CONFIG_MAP') {
      return [clusterResult(s, 'ERROR', `Unknown authenticationMode ${mode}`, { authenticationMode: mode })];
    }
    const unavailable = awsAuthUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const mappings = awsAuthMappings(s.awsAuth);
    const mapAccounts = s.awsAuth?.mapAccounts ?? [];
    if (mappings.length === 0 && mapAccounts.length === 0) {
      return [
        clusterResult(
          s,
          'PASS',
          `authenticationMode is API_AND_CONFIG_MAP but aws-auth maps no principals (${s.awsAuth?.exists ? 'the ConfigMap is empty' : 'there is no aws-auth ConfigMap'}); switching to API would stop EKS from honouring one written later`,
          { authenticationMode: mode, awsAuthExists: s.awsAuth?.exists ?? false },
        ),
      ];
    }
    const withEntry = new Set(s.accessEntries.map((e) => principalKey(e.entry.principalArn ?? '')));
    const unmigrated = mappings.filter((m) => !withEntry.has(principalKey(m.arn)));
    const total = mappings.length + mapAccounts.length;
    const detail =
      unmigrated.length > 0 || mapAccounts.length > 0
        ? `without an access entry: ${shortList([...unmigrated.map((m) => m.arn), ...mapAccounts.map((a) => `account ${a} (mapAccounts)`)])}`
        : 'every mapping has an access entry: switch to API and delete aws-auth';
    return [
      clusterResult(
        s,
        'FAIL',
        `Migration to access entries unfinished: authenticationMode is API_AND_CONFIG_MAP and aws-auth still maps ${total} principal${total === 1 ? '' : 's'} (${detail})`,
        {
          authenticationMode: mode,
          awsAuthMappings: mappings,
          mapAccounts,
          withoutAccessEntry: unmigrated.map((m) => ({ source: m.source, arn: m.arn, groups: m.groups })),
        },
      ),
    ];
  },
});
