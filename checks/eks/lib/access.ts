/**
 * Who can reach a cluster's Kubernetes API, and how: the two EKS authentication paths (access entries and
 * the aws-auth ConfigMap) read side by side, so the access checks agree on what counts as a mapping,
 * an administrator and the same principal.
 */
import { type IamPrincipalRef, principalOf as parsePrincipal } from '../../../core/aws-arn.ts';
import type { CheckResult } from '../../../core/check.ts';
import type { AwsAuthConfigMap, EksClusterSnapshot } from '../../../core/snapshot.ts';
import { memoize } from '../../lib/memo.ts';
import { clusterResult } from './results.ts';

export const CLUSTER_ADMIN_POLICIES = ['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy'] as const;
export const MASTERS_GROUP = 'system:masters';

/** core/aws-arn's principalOf, parsed once per ARN (the same principals recur across checks and clusters); read-only. */
export const principalOf: (arn: string) => Readonly<IamPrincipalRef> = memoize((arn: string) =>
  Object.freeze(parsePrincipal(arn)),
);

export type AuthenticationMode = 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';

/** The cluster's authentication mode; a cluster that reports none predates access entries, so it is CONFIG_MAP. */
export function authenticationMode(s: EksClusterSnapshot): AuthenticationMode | string {
  return s.cluster?.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
}

/** Whether EKS authenticates through aws-auth in this mode. */
export function readsAwsAuth(mode: string): boolean {
  return mode !== 'API';
}

/** `role/admin` in 111122223333, whatever the path: what makes an aws-auth mapping and an access entry the same principal. */
export const principalKey: (arn: string) => string = memoize((arn: string) => {
  const p = principalOf(arn);
  return p.kind === 'other' ? arn : `${p.accountId}/${p.kind === 'assumed-role' ? 'role' : p.kind}/${p.name}`;
});

export interface AwsAuthMapping {
  source: 'mapRoles' | 'mapUsers';
  arn: string;
  username?: string;
  groups: string[];
}

export function awsAuthMappings(a: AwsAuthConfigMap | undefined): AwsAuthMapping[] {
  if (!a) return [];
  return [
    ...a.mapRoles.map((m) => ({
      source: 'mapRoles' as const,
      arn: m.rolearn,
      ...(m.username ? { username: m.username } : {}),
      groups: m.groups ?? [],
    })),
    ...a.mapUsers.map((m) => ({
      source: 'mapUsers' as const,
      arn: m.userarn,
      ...(m.username ? { username: m.username } : {}),
      groups: m.groups ?? [],
    })),
  ];
}

/**
 * ERROR when the check needs aws-auth (the cluster's mode reads it) but it could not be read; the reason
 * comes from the `k8s:aws-auth` gap. Undefined when the check can go on.
 */
export function awsAuthUnavailable(s: EksClusterSnapshot, what: string): CheckResult | undefined {
  if (!readsAwsAuth(authenticationMode(s)) || s.awsAuth) return undefined;
  const gap = s.gaps.find((g) => g.need === 'k8s:aws-auth');
  const why = gap ? `k8s:aws-auth: ${gap.error}` : 'the aws-auth ConfigMap was not collected';
  return clusterResult(s, 'ERROR', `Cannot evaluate ${what}: ${why}`, {
    authenticationMode: authenticationMode(s),
    ...(gap ? { gaps: [gap] } : {}),
  });
}

export interface AdminHolder {
  principalArn: string;
  /** How each path grants it: `access entry: AmazonEKSClusterAdminPolicy (cluster scope)`, `aws-auth mapRoles: system:masters`. */
  via: string[];
}

function policyName(arn: string | undefined): string {
  return (arn ?? '').split('/').at(-1) ?? '';
}

function addHolder(byKey: Map<string, AdminHolder>, arn: string, via: string): void {
  const key = principalKey(arn);
  const holder = byKey.get(key) ?? { principalArn: arn, via: [] };
  holder.via.push(via);
  byKey.set(key, holder);
}

/**
 * Every principal that holds cluster-admin: an access entry with a cluster-admin access policy at cluster scope
 * or in `system:masters`, or (in modes that read it) an aws-auth mapping into `system:masters`.
 */
export function clusterAdmins(s: EksClusterSnapshot): AdminHolder[] {
  const byKey = new Map<string, AdminHolder>();
  for (const { entry, policies } of s.accessEntries) {
    if (!entry.principalArn) continue;
    for (const p of policies) {
      const name = policyName(p.policyArn);
      if ((CLUSTER_ADMIN_POLICIES as readonly string[]).includes(name) && p.accessScope?.type === 'cluster') {
        addHolder(byKey, entry.principalArn, `access entry: ${name} (cluster scope)`);
      }
    }
    if (entry.kubernetesGroups?.includes(MASTERS_GROUP))
      addHolder(byKey, entry.principalArn, `access entry: ${MASTERS_GROUP}`);
  }
  if (readsAwsAuth(authenticationMode(s))) {
    for (const m of awsAuthMappings(s.awsAuth)) {
      if (m.groups.includes(MASTERS_GROUP)) addHolder(byKey, m.arn, `aws-auth ${m.source}: ${MASTERS_GROUP}`);
    }
  }
  const holders = [...byKey.values()];
  return holders.length > 1 ? holders.sort((a, b) => a.principalArn.localeCompare(b.principalArn)) : holders;
}

/** At most `n` items spelled out in a one-line message; evidence always has them all. */
export function shortList(values: readonly string[], n = 5): string {
  if (values.length === 0) return 'none';
  if (values.length <= n) return values.join(', ');
  return `${values.slice(0, n).join(', ')} and ${values.length - n} more`;
}
