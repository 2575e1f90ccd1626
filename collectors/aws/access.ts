import {
  type AssociatedAccessPolicy,
  type Cluster,
  DescribeAccessEntryCommand,
  DescribePodIdentityAssociationCommand,
  type EKSClient,
  paginateListAccessEntries,
  paginateListAssociatedAccessPolicies,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import { issuerHostPath, principalOf } from '../../core/aws-arn.ts';
import { CollectorError, errorMessage } from '../../core/errors.ts';
import type {
  AwsAuthConfigMap,
  CollectionGap,
  EksAccessEntry,
  EksClusterSnapshot,
  IamPrincipalFacts,
  IamRoleFacts,
} from '../../core/snapshot.ts';
import { collectPages } from '../common/pages.ts';
import { describeAll, eksNextToken, gap } from './eks.ts';
import type { AccountIam } from './iam.ts';

export type AccessFields = Pick<
  EksClusterSnapshot,
  'accessEntries' | 'podIdentityAssociations' | 'awsAuth' | 'iam' | 'oidcProviders' | 'irsaRoles'
>;

export interface AccessScope {
  eks: EKSClient;
  accountId: string;
  concurrency: number;
  /** `collection.maxPages`: the cap of every list walk. */
  maxPages?: number;
  iam: AccountIam;
  /** Reads the cluster's aws-auth ConfigMap through its Kubernetes API (token, CA, timeout are the caller's). */
  readAwsAuth(cluster: Cluster): Promise<AwsAuthConfigMap>;
}

export function emptyAccess(): AccessFields {
  return { accessEntries: [], podIdentityAssociations: [], iam: {}, oidcProviders: [], irsaRoles: [] };
}

/** Every item of an EKS walk, guarded: a repeated token or too many pages rejects (Malformed) instead of looping. */
function listAll<P, T>(
  a: AccessScope,
  action: string,
  pages: AsyncIterable<P>,
  pick: (p: P) => T[] | undefined,
): Promise<T[]> {
  return collectPages(pages, pick, { action, nextToken: eksNextToken, maxPages: a.maxPages });
}

async function accessEntries(a: AccessScope, name: string, gaps: CollectionGap[]): Promise<EksAccessEntry[]> {
  const { eks } = a;
  const policyFailures: string[] = [];
  let policyError: unknown;
  const entries = await describeAll(
    { concurrency: a.concurrency },
    gaps,
    'eks:ListAccessEntries',
    'eks:DescribeAccessEntry',
    () =>
      listAll(
        a,
        'eks:ListAccessEntries',
        paginateListAccessEntries({ client: eks }, { clusterName: name }),
        (p) => p.accessEntries,
      ),
    async (principalArn) => {
      // The response schema guarantees `accessEntry` (collectors/aws/responses.ts).
      const entry = (await eks.send(new DescribeAccessEntryCommand({ clusterName: name, principalArn }))).accessEntry!;
      let policies: AssociatedAccessPolicy[] = [];
      try {
        policies = await listAll(
          a,
          'eks:ListAssociatedAccessPolicies',
          paginateListAssociatedAccessPolicies({ client: eks }, { clusterName: name, principalArn }),
          (p) => p.associatedAccessPolicies,
        );
      } catch (e) {
        policyFailures.push(principalArn);
        policyError ??= e;
      }
      return { entry, policies };
    },
  );
  if (policyFailures.length > 0) {
    const g = gap('eks:ListAssociatedAccessPolicies', policyError);
    gaps.push({ ...g, error: `${g.error} (for: ${policyFailures.sort().join(', ')})` });
  }
  return entries;
}

/** A gap for aws-auth, saying why a private-only endpoint is the likely cause when it is. */
function awsAuthGap(cluster: Cluster, e: unknown): CollectionGap {
  const code = e instanceof CollectorError ? e.code : 'Unknown';
  const privateOnly = cluster.resourcesVpcConfig?.endpointPublicAccess === false;
  const hint =
    (code === 'Unreachable' || code === 'Timeout') && privateOnly
      ? ' (the endpoint is private-only: run the scanner where it can reach the cluster VPC)'
      : '';
  const message = errorMessage(e);
  return { need: 'k8s:aws-auth', code, error: `${message.startsWith(`${code}:`) ? '' : `${code}: `}${message}${hint}` };
}

/**
 * Who can reach the cluster and which AWS roles its pods can become: access entries, Pod Identity, aws-auth
 * (only in modes where EKS reads it), the account's OIDC providers and IRSA roles, and whether each IAM
 * principal referenced still exists. Never throws: what could not be read becomes a gap.
 */
export async function collectAccess(a: AccessScope, cluster: Cluster, gaps: CollectionGap[]): Promise<AccessFields> {
  const name = cluster.name ?? '';
  const mode = cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
  const hostPath = issuerHostPath(cluster.identity?.oidc?.issuer);
  const soft = <T>(need: string, p: Promise<T>, fallback: T): Promise<T> =>
    p.catch((e: unknown) => {
      gaps.push(gap(need, e));
      return fallback;
    });

  const [entries, associations, awsAuth, roles, oidcProviders] = await Promise.all([
    // EKS refuses access-entry calls in CONFIG_MAP mode: there are none to list.
    mode === 'CONFIG_MAP' ? Promise.resolve([]) : accessEntries(a, name, gaps),
    describeAll(
      { concurrency: a.concurrency },
      gaps,
      'eks:ListPodIdentityAssociations',
      'eks:DescribePodIdentityAssociation',
      () =>
        listAll(
          a,
          'eks:ListPodIdentityAssociations',
          paginateListPodIdentityAssociations({ client: a.eks }, { clusterName: name }),
          (p) => p.associations?.map((x) => x.associationId!),
        ),
      // The response schema guarantees `association` (collectors/aws/responses.ts).
      async (associationId) =>
        (await a.eks.send(new DescribePodIdentityAssociationCommand({ clusterName: name, associationId })))
          .association!,
    ),
    mode === 'API'
      ? Promise.resolve(undefined)
      : a.readAwsAuth(cluster).catch((e: unknown) => {
          gaps.push(awsAuthGap(cluster, e));
          return undefined;
        }),
    soft('iam:ListRoles', a.iam.roles(), undefined),
    soft('iam:ListOpenIDConnectProviders', a.iam.oidcProviders(), []),
  ]);

  // Every IAM principal something grants access to, or that a pod becomes.
  const referenced = new Set<string>();
  for (const { entry } of entries) if (entry.principalArn) referenced.add(entry.principalArn);
  for (const m of awsAuth?.mapRoles ?? []) referenced.add(m.rolearn);
  for (const m of awsAuth?.mapUsers ?? []) referenced.add(m.userarn);
  for (const x of associations) if (x.roleArn) referenced.add(x.roleArn);

  const iam: Record<string, IamPrincipalFacts> = {};
  const userFailures: string[] = [];
  let userError: unknown;
  await Promise.all(
    [...referenced].map(async (arn) => {
      const p = principalOf(arn);
      // Only this account's principals can be looked up with this account's reader role.
      if (p.accountId !== a.accountId) return;
      if ((p.kind === 'role' || p.kind === 'assumed-role') && roles) {
        const role = roles.get(p.name);
        iam[arn] = { arn, kind: 'role', exists: Boolean(role), ...(role ? { trustPolicy: role.trustPolicy } : {}) };
      } else if (p.kind === 'user') {
        try {
          iam[arn] = { arn, kind: 'user', exists: await a.iam.userExists(p.name) };
        } catch (e) {
          userFailures.push(arn);
          userError ??= e;
        }
      }
    }),
  );
  if (userFailures.length > 0) {
    const g = gap('iam:GetUser', userError);
    gaps.push({ ...g, error: `${g.error} (could not look up: ${userFailures.sort().join(', ')})` });
  }

  // Roles whose trust policy names this cluster's issuer; the checks decide whether they really trust it.
  const irsaRoles: IamRoleFacts[] =
    hostPath && roles
      ? [...roles.values()]
          .filter((r) => r.trustPolicyText.includes(hostPath))
          .map(({ arn, roleName, trustPolicy }) => ({ arn, roleName, trustPolicy }))
          .sort((x, y) => x.arn.localeCompare(y.arn))
      : [];

  return {
    accessEntries: entries,
    podIdentityAssociations: associations,
    ...(awsAuth ? { awsAuth } : {}),
    iam,
    oidcProviders,
    irsaRoles,
  };
}
