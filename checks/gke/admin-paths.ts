import type { AccessPath } from '../../core/access-paths.ts';
import { GCP_KNOWN_ROLES } from '../../core/gcp-roles.ts';
import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import { wildcardMatch } from '../lib/cluster-admin.ts';
import { memoizeByObject } from '../lib/memo.ts';

/**
 * Who can become cluster-admin of a GKE cluster through the project's IAM policy (issue 13): for every binding, the
 * permissions of its role that lead to cluster-admin. Pure: reads only the snapshot.
 */

export const GKE_ADMIN_PERMISSIONS: readonly { permission: string; how: string }[] = [
  {
    permission: 'container.clusters.update',
    how: 'reconfigures the cluster (legacy ABAC, authorized networks, node service accounts)',
  },
  {
    permission: 'container.clusterRoleBindings.create',
    how: 'binds itself to cluster-admin through the Kubernetes API (IAM authorizes GKE API calls)',
  },
  {
    permission: 'resourcemanager.projects.setIamPolicy',
    how: 'grants itself roles/container.admin on the project',
  },
];

/** What the list does not cover: shown with every result. */
export const GKE_PATH_LIMITS = [
  'bindings inherited from folders and the organization are not read (project policy only)',
  'Google groups are not expanded: each group counts once',
];

export interface GkeAdminPaths {
  paths: AccessPath[];
  /** Bound roles whose permissions are unknown (not readable): a binding of one may be a path. */
  unresolved: { role: string; error: string; members: string[] }[];
}

/** The permissions a role holds for these paths; undefined when the role could not be read. */
function permissionsOf(s: GkeClusterSnapshot, role: string): readonly string[] | undefined {
  return GCP_KNOWN_ROLES[role] ?? s.projectIam?.customRoles[role]?.includedPermissions;
}

/** Once per snapshot: two checks read the same paths (read-only, shared in their evidence). */
export const gkeAdminPaths = memoizeByObject(computeGkeAdminPaths);

function computeGkeAdminPaths(s: GkeClusterSnapshot): GkeAdminPaths | undefined {
  const iam = s.projectIam;
  if (!iam) return undefined;
  const project = `projects/${s.accountId}`;
  const paths: AccessPath[] = [];
  const unresolved = new Map<string, GkeAdminPaths['unresolved'][number]>();
  for (const b of iam.policy.bindings ?? []) {
    const role = b.role ?? '';
    // A deleted principal holds nothing until an identity of the same name is recreated, which re-binds nothing.
    const members = (b.members ?? []).filter((m) => !m.startsWith('deleted:'));
    const permissions = permissionsOf(s, role);
    if (!permissions) {
      const u = unresolved.get(role) ?? {
        role,
        error: iam.unresolvedRoles.find((r) => r.role === role)?.error ?? 'not read',
        members: [],
      };
      u.members.push(...members);
      unresolved.set(role, u);
      continue;
    }
    const condition = b.condition?.expression
      ? [`IAM condition${b.condition.title ? ` "${b.condition.title}"` : ''}: ${b.condition.expression}`]
      : [];
    for (const t of GKE_ADMIN_PERMISSIONS) {
      if (!permissions.some((p) => wildcardMatch(p, t.permission))) continue;
      for (const member of members)
        paths.push({
          subject: member,
          subjectKind: 'gcp-member',
          reaches: 'cluster-admin',
          hops: [
            { principal: member, via: `${role} (project IAM binding)`, action: t.permission, resource: project },
            { principal: member, via: t.how, action: t.permission, resource: s.id },
          ],
          conditions: condition,
        });
    }
  }
  return { paths, unresolved: [...unresolved.values()] };
}

const CONSUMER_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * Where a member stands: `outside` (public, a consumer account, a federated workload identity, a domain that is not the
 * organization's), `inside`, or `unknown` (a domain, when the organization's domains are not configured).
 */
export function memberStanding(
  member: string,
  organizationDomains: readonly string[],
): 'outside' | 'inside' | 'unknown' {
  if (member === 'allUsers' || member === 'allAuthenticatedUsers') return 'outside';
  if (member.startsWith('principal')) return member.includes('/workloadIdentityPools/') ? 'outside' : 'inside';
  // Service accounts live in projects, not domains: judged by the project that owns them elsewhere, not here.
  if (member.startsWith('serviceAccount:')) return 'inside';
  const m = /^(?:user|group|domain):(?:[^@]*@)?(.+)$/.exec(member);
  if (!m) return 'unknown';
  const domain = m[1]!.toLowerCase();
  if (CONSUMER_DOMAINS.has(domain)) return 'outside';
  if (organizationDomains.length === 0) return 'unknown';
  return organizationDomains.some((d) => domain === d || domain.endsWith(`.${d}`)) ? 'inside' : 'outside';
}
