import type { SimAccount, SimManagedPolicy, SimPrincipalPolicies } from '../fleet.ts';
import { AWS_MANAGED_POLICIES, awsManagedPolicyArn } from './managed-policies.ts';
import { paginate } from './paging.ts';
import { AWS_QUERY_ERRORS, AwsError, awsQueryError, awsQueryResponse } from './protocol.ts';
import { type ActionHandler, type AwsRequest, type AwsService, type RequestContext, routeByAction } from './service.ts';

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
/** The largest MaxItems IAM list operations accept. */
const MAX_ITEMS = 1000;

function accountOf(ctx: RequestContext) {
  return ctx.fleet.account(ctx.principal.accountId);
}

/** What IAM puts on the wire: the trust policy URL-encoded (RFC 3986), which clients must decode. */
function wireRole(r: NonNullable<ReturnType<typeof accountOf>>['iam']['roles'][number]) {
  return { ...r, AssumeRolePolicyDocument: encodeURIComponent(r.AssumeRolePolicyDocument) };
}

function noSuchEntity(kind: 'role' | 'user', name: string): AwsError {
  return new AwsError(404, 'NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
}

function listRoles(req: AwsRequest, ctx: RequestContext) {
  const roles = accountOf(ctx)?.iam.roles ?? [];
  const prefix = req.params.get('PathPrefix') ?? '/';
  const matching = roles.filter((r) => r.Path.startsWith(prefix));
  const { items, nextToken } = paginate(
    matching,
    `roles/${ctx.principal.accountId}/${prefix}`,
    { maxResults: req.params.get('MaxItems'), nextToken: req.params.get('Marker') },
    { max: MAX_ITEMS, cap: ctx.options.maxPageSize },
  );
  return awsQueryResponse(
    'ListRoles',
    XMLNS,
    { IsTruncated: nextToken !== undefined, ...(nextToken ? { Marker: nextToken } : {}), Roles: items.map(wireRole) },
    ctx.requestId,
  );
}

function getRole(req: AwsRequest, ctx: RequestContext) {
  const name = req.params.get('RoleName') ?? '';
  const role = accountOf(ctx)?.iam.roles.find((r) => r.RoleName === name);
  if (!role) throw noSuchEntity('role', name);
  return awsQueryResponse('GetRole', XMLNS, { Role: wireRole(role) }, ctx.requestId);
}

function getUser(req: AwsRequest, ctx: RequestContext) {
  const name = req.params.get('UserName');
  // Without UserName, GetUser describes the caller (an IAM user).
  if (!name) {
    if (ctx.principal.kind !== 'user') {
      throw new AwsError(400, 'ValidationError', 'Must specify userName when calling with non-User credentials');
    }
    const userName = ctx.principal.arn.split('/').at(-1)!;
    return awsQueryResponse(
      'GetUser',
      XMLNS,
      {
        User: {
          Path: '/',
          UserName: userName,
          UserId: ctx.principal.userId,
          Arn: ctx.principal.arn,
          CreateDate: new Date(0),
        },
      },
      ctx.requestId,
    );
  }
  const user = accountOf(ctx)?.iam.users.find((u) => u.UserName === name);
  if (!user) throw noSuchEntity('user', name);
  return awsQueryResponse('GetUser', XMLNS, { User: user }, ctx.requestId);
}

function listOpenIdConnectProviders(_req: AwsRequest, ctx: RequestContext) {
  return awsQueryResponse(
    'ListOpenIDConnectProviders',
    XMLNS,
    { OpenIDConnectProviderList: ctx.fleet.oidcProviders(ctx.principal.accountId).map((Arn) => ({ Arn })) },
    ctx.requestId,
  );
}

/** The AWS managed policies as IAM lists them: the same ids and dates in every account. */
const AWS_MANAGED: readonly SimManagedPolicy[] = AWS_MANAGED_POLICIES.map((p, i) => ({
  PolicyName: p.name,
  PolicyId: `ANPAAWSMANAGED${String(i).padStart(6, '0')}`,
  Arn: awsManagedPolicyArn(p.name),
  Path: p.path,
  DefaultVersionId: p.defaultVersionId,
  versions: p.versions.map((v) => ({ VersionId: v.versionId, Document: JSON.stringify(v.document) })),
  CreateDate: new Date('2015-02-06T18:39:46Z'),
}));

/** Every managed policy an account can name: its own, then AWS's. */
function managedPolicies(account: SimAccount | undefined): SimManagedPolicy[] {
  return [...(account?.iam.policies ?? []), ...AWS_MANAGED];
}

const NO_POLICIES: SimPrincipalPolicies = { inline: [], attached: [] };
const FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;

/** The parts of a principal GetAccountAuthorizationDetails shows: policies URL-encoded (RFC 3986), as IAM sends them. */
function principalDetail(p: SimPrincipalPolicies, inlineKey: string, policies: Map<string, SimManagedPolicy>) {
  return {
    [inlineKey]: p.inline.map((i) => ({
      PolicyName: i.PolicyName,
      PolicyDocument: encodeURIComponent(i.PolicyDocument),
    })),
    AttachedManagedPolicies: p.attached.map((arn) => ({
      PolicyName: policies.get(arn)?.PolicyName ?? arn.split('/').at(-1),
      PolicyArn: arn,
    })),
  };
}

const boundaryOf = (p: SimPrincipalPolicies) =>
  p.boundary ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: p.boundary } : undefined;

/**
 * Users, groups, roles and managed policies of the account, one list across all four paged by `Marker` (MaxItems up
 * to 1000, capped by `maxPageSize`). As IAM does, `Policies` holds every customer managed policy but only the AWS
 * managed policies attached to a user, group or role: one used only as a permissions boundary is not listed (a reader
 * gets it with GetPolicy + GetPolicyVersion).
 */
function getAccountAuthorizationDetails(req: AwsRequest, ctx: RequestContext) {
  const account = accountOf(ctx);
  const auth = account?.iam.authorization ?? new Map<string, SimPrincipalPolicies>();
  const of = (arn: string) => auth.get(arn) ?? NO_POLICIES;
  const byArn = new Map(managedPolicies(account).map((p) => [p.Arn, p]));
  const filters = [...req.params.entries()].filter(([k]) => /^Filter\.member\.\d+$/.test(k)).map(([, v]) => v);
  for (const f of filters) {
    if (!(FILTERS as readonly string[]).includes(f))
      throw new AwsError(
        400,
        'ValidationError',
        `Value '${f}' at 'filter' failed to satisfy constraint: Member must satisfy enum value set: [${FILTERS.join(', ')}]`,
      );
  }
  const wanted = (f: (typeof FILTERS)[number]) => filters.length === 0 || filters.includes(f);
  const roles = account?.iam.roles ?? [];
  const users = account?.iam.users ?? [];
  const groups = account?.iam.groups ?? [];
  const attachments = new Map<string, number>();
  const boundaries = new Map<string, number>();
  for (const p of auth.values()) {
    for (const arn of p.attached) attachments.set(arn, (attachments.get(arn) ?? 0) + 1);
    if (p.boundary) boundaries.set(p.boundary, (boundaries.get(p.boundary) ?? 0) + 1);
  }
  type Item =
    | { kind: 'user'; detail: object }
    | { kind: 'group'; detail: object }
    | { kind: 'role'; detail: object }
    | { kind: 'policy'; detail: object };
  const items: Item[] = [];
  if (wanted('User'))
    for (const u of users) {
      const p = of(u.Arn);
      items.push({
        kind: 'user',
        detail: {
          ...u,
          ...principalDetail(p, 'UserPolicyList', byArn),
          GroupList: p.groups ?? [],
          PermissionsBoundary: boundaryOf(p),
          Tags: [],
        },
      });
    }
  if (wanted('Group'))
    for (const g of groups)
      items.push({ kind: 'group', detail: { ...g, ...principalDetail(of(g.Arn), 'GroupPolicyList', byArn) } });
  if (wanted('Role'))
    for (const r of roles) {
      const p = of(r.Arn);
      items.push({
        kind: 'role',
        detail: {
          Path: r.Path,
          RoleName: r.RoleName,
          RoleId: r.RoleId,
          Arn: r.Arn,
          CreateDate: r.CreateDate,
          AssumeRolePolicyDocument: encodeURIComponent(r.AssumeRolePolicyDocument),
          InstanceProfileList: [],
          ...principalDetail(p, 'RolePolicyList', byArn),
          PermissionsBoundary: boundaryOf(p),
          Tags: [],
          RoleLastUsed: {},
        },
      });
    }
  const own = new Set((account?.iam.policies ?? []).map((p) => p.Arn));
  for (const policy of managedPolicies(account)) {
    const local = own.has(policy.Arn);
    if (local ? !wanted('LocalManagedPolicy') : !wanted('AWSManagedPolicy') || !attachments.has(policy.Arn)) continue;
    items.push({
      kind: 'policy',
      detail: {
        PolicyName: policy.PolicyName,
        PolicyId: policy.PolicyId,
        Arn: policy.Arn,
        Path: policy.Path,
        DefaultVersionId: policy.DefaultVersionId,
        AttachmentCount: attachments.get(policy.Arn) ?? 0,
        PermissionsBoundaryUsageCount: boundaries.get(policy.Arn) ?? 0,
        IsAttachable: true,
        CreateDate: policy.CreateDate,
        UpdateDate: policy.CreateDate,
        PolicyVersionList: policy.versions.map((v) => ({
          Document: encodeURIComponent(v.Document),
          VersionId: v.VersionId,
          IsDefaultVersion: v.VersionId === policy.DefaultVersionId,
          CreateDate: policy.CreateDate,
        })),
      },
    });
  }
  const { items: page, nextToken } = paginate(
    items,
    `authorization/${ctx.principal.accountId}/${filters.join(',')}`,
    { maxResults: req.params.get('MaxItems'), nextToken: req.params.get('Marker') },
    { max: MAX_ITEMS, cap: ctx.options.maxPageSize },
  );
  const pick = (kind: Item['kind']) => page.filter((i) => i.kind === kind).map((i) => i.detail);
  return awsQueryResponse(
    'GetAccountAuthorizationDetails',
    XMLNS,
    {
      UserDetailList: pick('user'),
      GroupDetailList: pick('group'),
      RoleDetailList: pick('role'),
      Policies: pick('policy'),
      IsTruncated: nextToken !== undefined,
      ...(nextToken ? { Marker: nextToken } : {}),
    },
    ctx.requestId,
  );
}

function policyNamed(req: AwsRequest, ctx: RequestContext): SimManagedPolicy {
  const arn = req.params.get('PolicyArn') ?? '';
  const policy = managedPolicies(accountOf(ctx)).find((p) => p.Arn === arn);
  if (!policy) throw new AwsError(404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

function getPolicy(req: AwsRequest, ctx: RequestContext) {
  const p = policyNamed(req, ctx);
  const { versions: _v, ...policy } = p;
  return awsQueryResponse('GetPolicy', XMLNS, { Policy: { ...policy, IsAttachable: true } }, ctx.requestId);
}

function getPolicyVersion(req: AwsRequest, ctx: RequestContext) {
  const p = policyNamed(req, ctx);
  const id = req.params.get('VersionId') ?? '';
  const v = p.versions.find((x) => x.VersionId === id);
  if (!v) throw new AwsError(404, 'NoSuchEntity', `Policy ${p.Arn} version ${id} does not exist or is not attachable.`);
  return awsQueryResponse(
    'GetPolicyVersion',
    XMLNS,
    {
      PolicyVersion: {
        Document: encodeURIComponent(v.Document),
        VersionId: v.VersionId,
        IsDefaultVersion: v.VersionId === p.DefaultVersionId,
        CreateDate: p.CreateDate,
      },
    },
    ctx.requestId,
  );
}

const ACTIONS: Record<string, ActionHandler> = {
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  ListRoles: listRoles,
  GetRole: getRole,
  GetUser: getUser,
  ListOpenIDConnectProviders: listOpenIdConnectProviders,
};

export const iam: AwsService = {
  signingName: 'iam',
  title: 'IAM',
  protocol: 'awsQuery',
  regional: false,
  errors: AWS_QUERY_ERRORS,
  route: routeByAction('IAM', 'sim/aws/iam.ts', ACTIONS),
  errorResponse: (e, requestId) => awsQueryError(e, XMLNS, requestId),
};
