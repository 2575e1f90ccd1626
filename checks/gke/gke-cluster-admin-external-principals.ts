import { defineCheck } from '../../core/check.ts';
import { nameList, principalsOf } from '../lib/cluster-admin.ts';
import { GKE_PATH_LIMITS, gkeAdminPaths, memberStanding } from './admin-paths.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.ACCESS.4',
  slug: 'gke-cluster-admin-external-principals',
  title: 'No member outside the organization can become GKE cluster-admin',
  provider: 'gcp',
  service: 'gke',
  severity: 'high',
  category: 'access',
  needs: ['gke:ListClusters', 'crm:GetIamPolicy', 'gcp-iam:GetRole'],
  frameworks: {},
  reads: ['projectIam.policy.bindings[].members', 'projectIam.organizationDomains'],
  risk: 'allUsers, allAuthenticatedUsers, consumer (gmail.com) accounts, federated workload identities and members of other domains that can become cluster-admin put the cluster in the hands of identities the organization does not manage: no offboarding, no enforced 2-step verification, no audit of who they are.',
  remediation: {
    text: 'Remove the binding, or replace it with a member of the organization (a group of it) holding a role without a path to cluster-admin.',
    cli: 'gcloud projects remove-iam-policy-binding <project> --member=<member> --role=<role>',
    url: 'https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains',
  },
  references: [
    'https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains',
    'https://cloud.google.com/iam/docs/principals-overview',
  ],
  severityRationale: 'High: cluster takeover by identities the organization does not manage.',
  evaluate(s) {
    const found = gkeAdminPaths(s);
    if (!found) return [clusterResult(s, 'ERROR', 'The project IAM policy was not collected')];
    const domains = s.projectIam?.organizationDomains ?? [];
    const standing = (m: string) => memberStanding(m, domains);
    const outside = found.paths.filter((p) => standing(p.subject) === 'outside');
    const unknown = principalsOf(found.paths.filter((p) => standing(p.subject) === 'unknown'));
    const principals = principalsOf(outside);
    // Bound to a role that could not be read: a path cannot be ruled out for its members outside (or not known inside).
    const unresolved = found.unresolved.filter((u) => u.members.some((m) => standing(m) !== 'inside'));
    const evidence = {
      accessPaths: outside,
      principals,
      organizationDomains: domains,
      limits: GKE_PATH_LIMITS,
      ...(unknown.length ? { undetermined: unknown.map((p) => p.subject) } : {}),
      ...(unresolved.length ? { unresolvedRoles: unresolved } : {}),
    };
    if (principals.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `${principals.length} member(s) outside the organization can become cluster-admin: ${nameList(principals)}`,
          evidence,
        ),
      ];
    if (unknown.length > 0)
      return [
        clusterResult(
          s,
          'ERROR',
          `Cannot tell whether these members are in the organization: ${nameList(unknown)} (set gcp.organizationDomains)`,
          evidence,
        ),
      ];
    if (unresolved.length > 0)
      return [
        clusterResult(
          s,
          'ERROR',
          `Roles whose permissions could not be read are bound to members not known to be inside the organization: ${unresolved.map((u) => u.role).join(', ')}`,
          evidence,
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        `No member outside ${domains.join(', ') || 'the organization'} can become cluster-admin through project IAM`,
        evidence,
      ),
    ];
  },
});
