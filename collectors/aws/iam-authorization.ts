import {
  type AttachedPolicy,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  type ManagedPolicyDetail,
  type PolicyDetail,
  paginateGetAccountAuthorizationDetails,
} from '@aws-sdk/client-iam';
import {
  DescribePolicyCommand,
  ListParentsCommand,
  type OrganizationsClient,
  paginateListPoliciesForTarget,
} from '@aws-sdk/client-organizations';
import type { IamAuthorization, IamInlinePolicy, IamManagedPolicy, IamScp } from '../../core/snapshot-iam.ts';
import { collectPages, guardPages } from '../common/pages.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';
import { decodePolicyDocument } from './iam.ts';

/** The need of the gap when the account's authorization could not be read: exactly the path checks need it. */
export const IAM_AUTHORIZATION_NEED = 'iam:GetAccountAuthorizationDetails';

/** What reading one account's authorization calls in the account (the reader role grants them). */
export const IAM_AUTHORIZATION_ACTIONS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
] as const;

/** What reading SCPs calls, with the scanner's own credentials (management or delegated-administrator account). */
export const SCP_ACTIONS = [
  'organizations:ListParents',
  'organizations:ListPoliciesForTarget',
  'organizations:DescribePolicy',
] as const;

/** An organization is at most five OUs deep under its root: more parents than this is a loop, not an org. */
const MAX_ORG_DEPTH = 8;

type Problems = IamAuthorization['problems'];

/** Decodes and parses one document; a failure is recorded under `name`, never dropped. */
function parsed(encoded: string | undefined, name: string, problems: Problems) {
  if (!encoded) {
    problems.push({ policy: name, error: 'IAM returned no document' });
    return undefined;
  }
  const { doc } = decodePolicyDocument(encoded);
  if (!doc) problems.push({ policy: name, error: 'the document is not a JSON object after URL-decoding' });
  return doc;
}

function inline(list: PolicyDetail[] | undefined, owner: string, problems: Problems): IamInlinePolicy[] {
  return (list ?? []).map((p) => {
    const name = p.PolicyName ?? '(unnamed)';
    return { name, document: parsed(p.PolicyDocument, `${owner} inline policy ${name}`, problems) };
  });
}

const attachedArns = (list: AttachedPolicy[] | undefined) =>
  (list ?? []).map((a) => a.PolicyArn).filter((a): a is string => Boolean(a));

/** The default version of a policy as GetAccountAuthorizationDetails lists it (`IsDefaultVersion`, else `DefaultVersionId`). */
function managedPolicy(p: ManagedPolicyDetail, problems: Problems): IamManagedPolicy | undefined {
  if (!p.Arn) return undefined;
  const versions = p.PolicyVersionList ?? [];
  const current =
    versions.find((v) => v.IsDefaultVersion) ?? versions.find((v) => v.VersionId && v.VersionId === p.DefaultVersionId);
  if (!current) {
    problems.push({ policy: p.Arn, error: 'IAM listed no default version of the policy' });
    return { arn: p.Arn, name: p.PolicyName ?? p.Arn, document: undefined };
  }
  return {
    arn: p.Arn,
    name: p.PolicyName ?? p.Arn,
    document: parsed(current.Document, `${p.Arn} (version ${current.VersionId ?? '?'})`, problems),
  };
}

/**
 * A managed policy GetAccountAuthorizationDetails did not list: an AWS managed policy that is only a permissions
 * boundary is not "attached", so IAM leaves it out. Its default version comes from GetPolicy + GetPolicyVersion.
 */
async function fetchPolicy(iam: IAMClient, arn: string, problems: Problems): Promise<IamManagedPolicy> {
  const name = arn.split('/').at(-1) ?? arn;
  try {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId! }),
    );
    return {
      arn,
      name: policy.PolicyName ?? name,
      document: parsed(version.PolicyVersion?.Document, `${arn} (version ${policy.DefaultVersionId})`, problems),
    };
  } catch (e) {
    problems.push({ policy: arn, error: `${describeAwsError(e)} (iam:GetPolicy / iam:GetPolicyVersion)` });
    return { arn, name, document: undefined };
  }
}

/**
 * One account's IAM authorization: one paginated GetAccountAuthorizationDetails walk (users, groups, roles with their
 * trust policies, inline policies, attached managed policies with every version), then GetPolicy + GetPolicyVersion
 * for a referenced policy the walk did not list. Rejects when the walk fails (the caller makes it a gap naming
 * `iam:GetAccountAuthorizationDetails`); a document that cannot be parsed is in `problems`, never dropped.
 */
export async function readAccountAuthorization(
  iam: IAMClient,
  accountId: string,
  maxPages?: number,
): Promise<IamAuthorization> {
  const problems: Problems = [];
  const auth: IamAuthorization = { accountId, roles: [], users: [], groups: [], managedPolicies: {}, problems };
  // MaxItems 1000 (IAM's largest): an account of 1,000 roles is a few pages, not ten (IAM's buckets are undocumented).
  const pages = guardPages(paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 1000 }, {}), {
    action: IAM_AUTHORIZATION_NEED,
    nextToken: (p) => (p as { Marker?: string }).Marker,
    maxPages,
  });
  for await (const page of pages) {
    for (const u of page.UserDetailList ?? []) {
      if (!u.Arn || !u.UserName) continue;
      auth.users.push({
        arn: u.Arn,
        name: u.UserName,
        path: u.Path ?? '/',
        inlinePolicies: inline(u.UserPolicyList, u.Arn, problems),
        attachedPolicyArns: attachedArns(u.AttachedManagedPolicies),
        groups: u.GroupList ?? [],
        ...(u.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: u.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
      });
    }
    for (const g of page.GroupDetailList ?? []) {
      if (!g.Arn || !g.GroupName) continue;
      auth.groups.push({
        arn: g.Arn,
        name: g.GroupName,
        path: g.Path ?? '/',
        inlinePolicies: inline(g.GroupPolicyList, g.Arn, problems),
        attachedPolicyArns: attachedArns(g.AttachedManagedPolicies),
      });
    }
    for (const r of page.RoleDetailList ?? []) {
      if (!r.Arn || !r.RoleName) continue;
      auth.roles.push({
        arn: r.Arn,
        name: r.RoleName,
        path: r.Path ?? '/',
        trustPolicy: parsed(r.AssumeRolePolicyDocument, `${r.Arn} trust policy`, problems),
        inlinePolicies: inline(r.RolePolicyList, r.Arn, problems),
        attachedPolicyArns: attachedArns(r.AttachedManagedPolicies),
        ...(r.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: r.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
        ...(r.InstanceProfileList?.length
          ? { instanceProfileArns: r.InstanceProfileList.flatMap((ip) => (ip.Arn ? [ip.Arn] : [])) }
          : {}),
      });
    }
    for (const p of page.Policies ?? []) {
      const policy = managedPolicy(p, problems);
      if (policy) auth.managedPolicies[policy.arn] = policy;
    }
  }
  const referenced = new Set<string>();
  for (const principal of [...auth.users, ...auth.groups, ...auth.roles]) {
    for (const arn of principal.attachedPolicyArns) referenced.add(arn);
  }
  for (const principal of [...auth.users, ...auth.roles]) {
    if (principal.permissionsBoundaryArn) referenced.add(principal.permissionsBoundaryArn);
  }
  const missing = [...referenced].filter((arn) => !auth.managedPolicies[arn]).sort();
  // A handful at most (boundary-only AWS managed policies): one after another keeps IAM's buckets calm.
  for (const arn of missing) auth.managedPolicies[arn] = await fetchPolicy(iam, arn, problems);
  return auth;
}

/** SCPs of one account, or why they were not read (then `serviceControlPolicies` stays undefined). */
export type ScpResult = Pick<IamAuthorization, 'serviceControlPolicies' | 'serviceControlPoliciesNote'>;

/**
 * Reads SCPs through Organizations with the scanner's own credentials, for any number of accounts, sharing what
 * accounts have in common: the policies attached to a root or OU are listed once, each policy described once.
 */
export function serviceControlPolicyReader(org: OrganizationsClient, maxPages?: number) {
  const attached = new Map<string, Promise<{ id: string; name: string }[]>>();
  const described = new Map<string, Promise<IamScp['document'] | Error>>();
  const policiesOf = (targetId: string) => {
    let p = attached.get(targetId);
    if (!p) {
      p = collectPages(
        paginateListPoliciesForTarget({ client: org }, { TargetId: targetId, Filter: 'SERVICE_CONTROL_POLICY' }),
        (page) => page.Policies,
        {
          action: 'organizations:ListPoliciesForTarget',
          nextToken: (page) => (page as { NextToken?: string }).NextToken,
          maxPages,
        },
      ).then((list) => list.flatMap((s) => (s.Id ? [{ id: s.Id, name: s.Name ?? s.Id }] : [])));
      attached.set(targetId, p);
    }
    return p;
  };
  const documentOf = (id: string) => {
    let p = described.get(id);
    if (!p) {
      // SCP content is plain JSON (Organizations does not URL-encode it); decodePolicyDocument accepts both.
      p = org.send(new DescribePolicyCommand({ PolicyId: id })).then(
        (r) => decodePolicyDocument(r.Policy?.Content).doc,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
      described.set(id, p);
    }
    return p;
  };
  return async (accountId: string): Promise<ScpResult & { problems: Problems }> => {
    const problems: Problems = [];
    try {
      // The account, then each parent up to the root: every level's SCPs apply (all must allow).
      const targets = [accountId];
      let child = accountId;
      for (let depth = 0; ; depth++) {
        if (depth >= MAX_ORG_DEPTH) throw new Error(`more than ${MAX_ORG_DEPTH} levels above ${accountId}`);
        const parent = (await org.send(new ListParentsCommand({ ChildId: child }))).Parents?.[0];
        if (!parent?.Id) throw new Error(`organizations:ListParents named no parent of ${child}`);
        targets.push(parent.Id);
        if (parent.Type === 'ROOT') break;
        child = parent.Id;
      }
      const scps: IamScp[] = [];
      for (const target of targets) {
        for (const { id, name } of await policiesOf(target)) {
          const doc = await documentOf(id);
          if (doc instanceof Error) throw doc;
          if (!doc) problems.push({ policy: `SCP ${name} (${id})`, error: 'the content is not a JSON object' });
          scps.push({ id, name, target, document: doc });
        }
      }
      return { serviceControlPolicies: scps, problems };
    } catch (e) {
      const code = classifyAwsError(e);
      const why =
        code === 'AccessDenied'
          ? "the scanner's credentials cannot read AWS Organizations (SCPs are readable from the management or a delegated-administrator account)"
          : /NotInUse/.test(String((e as { name?: string }).name))
            ? 'the account is not in an organization'
            : `Organizations could not be read (${describeAwsError(e)})`;
      return { serviceControlPoliciesNote: `SCPs not applied: ${why}`, problems };
    }
  };
}
