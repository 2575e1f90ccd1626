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

const ACTIONS: Record<string, ActionHandler> = {
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
