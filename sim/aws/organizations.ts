import { FULL_AWS_ACCESS_SCP } from './managed-policies.ts';
import { paginate } from './paging.ts';
import { AwsError, awsJsonError, awsJsonResponse } from './protocol.ts';
import { type ActionHandler, type AwsRequest, type AwsService, type RequestContext, routeByAction } from './service.ts';

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
/** ListAccounts returns at most 20 accounts a page. */
const MAX_RESULTS = 20;
const ORG_ID = 'o-kubeposture1';

/**
 * The organization behind the fleet: the caller's account (the management or delegated
 * administrator account) plus every account of the spec. Only the caller's account may list it,
 * as with a delegation policy that names the security account.
 */
function listAccounts(req: AwsRequest, ctx: RequestContext) {
  const callerAccount = ctx.fleet.caller.accountId;
  if (ctx.principal.accountId !== callerAccount) {
    throw new AwsError(
      400,
      'AccessDeniedException',
      `You don't have permissions to access this resource (account ${ctx.principal.accountId} is not the management or a delegated administrator account).`,
    );
  }
  let input: { MaxResults?: unknown; NextToken?: unknown };
  try {
    input = JSON.parse(req.body || '{}') as typeof input;
  } catch {
    throw new AwsError(400, 'SerializationException', 'The request body is not JSON.');
  }
  const ids = [callerAccount, ...[...ctx.fleet.accounts.keys()].filter((id) => id !== callerAccount)];
  const accounts = ids.map((id) => {
    const suspended = ctx.options.suspendedAccounts.has(id);
    return {
      Id: id,
      Arn: `arn:aws:organizations::${callerAccount}:account/${ORG_ID}/${id}`,
      Name: ctx.fleet.account(id)?.alias ?? (id === callerAccount ? 'security' : id),
      Email: `aws+${id}@example.com`,
      Status: suspended ? 'SUSPENDED' : 'ACTIVE',
      State: suspended ? 'SUSPENDED' : 'ACTIVE',
      JoinedMethod: id === callerAccount ? 'CREATED' : 'INVITED',
      JoinedTimestamp: new Date('2024-01-15T09:00:00Z'),
    };
  });
  const { items, nextToken } = paginate(
    accounts,
    'organizations/accounts',
    {
      maxResults: input.MaxResults === undefined ? null : String(input.MaxResults),
      nextToken: typeof input.NextToken === 'string' ? input.NextToken : null,
    },
    { max: MAX_RESULTS, cap: ctx.options.maxPageSize },
  );
  return awsJsonResponse({ Accounts: items, ...(nextToken ? { NextToken: nextToken } : {}) }, ctx.requestId);
}

/**
 * The organization itself. Any account of the organization may call it; the caller's account is its management
 * account here (the sim has no separate one), which is what plan leaves out of an organization scan.
 */
function describeOrganization(_req: AwsRequest, ctx: RequestContext) {
  const management = ctx.fleet.caller.accountId;
  if (ctx.principal.accountId !== management && !ctx.fleet.accounts.has(ctx.principal.accountId)) {
    throw new AwsError(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
  return awsJsonResponse(
    {
      Organization: {
        Id: ORG_ID,
        Arn: `arn:aws:organizations::${management}:organization/${ORG_ID}`,
        FeatureSet: 'ALL',
        MasterAccountArn: `arn:aws:organizations::${management}:account/${ORG_ID}/${management}`,
        MasterAccountId: management,
        MasterAccountEmail: `aws+${management}@example.com`,
        AvailablePolicyTypes: [],
      },
    },
    ctx.requestId,
  );
}

const ROOT_ID = 'r-kp01';

function jsonInput(req: AwsRequest): Record<string, unknown> {
  try {
    return JSON.parse(req.body || '{}') as Record<string, unknown>;
  } catch {
    throw new AwsError(400, 'SerializationException', 'The request body is not JSON.');
  }
}

/** Policies are read from the management account (the caller's here), as AWS allows (or a delegated administrator). */
function managementOnly(ctx: RequestContext) {
  if (ctx.principal.accountId !== ctx.fleet.caller.accountId) {
    throw new AwsError(
      400,
      'AccessDeniedException',
      `You don't have permissions to access this resource (account ${ctx.principal.accountId} is not the management or a delegated administrator account).`,
    );
  }
}

const inOrganization = (ctx: RequestContext, id: string) =>
  id === ctx.fleet.caller.accountId || ctx.fleet.accounts.has(id);

/** Every account sits directly under the root (the sim has no OUs). */
function listParents(req: AwsRequest, ctx: RequestContext) {
  managementOnly(ctx);
  const child = String(jsonInput(req).ChildId ?? '');
  if (!inOrganization(ctx, child)) {
    throw new AwsError(
      400,
      'ChildNotFoundException',
      `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.`,
    );
  }
  return awsJsonResponse({ Parents: [{ Id: ROOT_ID, Type: 'ROOT' }] }, ctx.requestId);
}

function scpsOf(ctx: RequestContext, targetId: string) {
  const fullAccess = { ...FULL_AWS_ACCESS_SCP, document: JSON.stringify(FULL_AWS_ACCESS_SCP.document), aws: true };
  if (targetId === ROOT_ID) return [fullAccess];
  if (!inOrganization(ctx, targetId)) {
    throw new AwsError(
      400,
      'TargetNotFoundException',
      `We can't find a root, OU, account, or policy with the TargetId that you specified.`,
    );
  }
  // AWS attaches FullAWSAccess to every account as well as the root, and each level must allow an action: an account
  // with only its Deny SCPs would allow nothing.
  return [
    fullAccess,
    ...(ctx.fleet.account(targetId)?.serviceControlPolicies ?? []).map((p) => ({ ...p, aws: false })),
  ];
}

const summary = (ctx: RequestContext, p: { id: string; name: string; aws: boolean }) => ({
  Id: p.id,
  Arn: `arn:aws:organizations::${p.aws ? 'aws' : ctx.fleet.caller.accountId}:policy/${p.aws ? '' : `${ORG_ID}/`}service_control_policy/${p.id}`,
  Name: p.name,
  Description: '',
  Type: 'SERVICE_CONTROL_POLICY',
  AwsManaged: p.aws,
});

function listPoliciesForTarget(req: AwsRequest, ctx: RequestContext) {
  managementOnly(ctx);
  const input = jsonInput(req);
  const filter = String(input.Filter ?? '');
  const all = filter === 'SERVICE_CONTROL_POLICY' ? scpsOf(ctx, String(input.TargetId ?? '')) : [];
  const { items, nextToken } = paginate(
    all.map((p) => summary(ctx, p)),
    `organizations/policies/${String(input.TargetId)}/${filter}`,
    {
      maxResults: input.MaxResults === undefined ? null : String(input.MaxResults),
      nextToken: typeof input.NextToken === 'string' ? input.NextToken : null,
    },
    { max: MAX_RESULTS, cap: ctx.options.maxPageSize },
  );
  return awsJsonResponse({ Policies: items, ...(nextToken ? { NextToken: nextToken } : {}) }, ctx.requestId);
}

function describePolicy(req: AwsRequest, ctx: RequestContext) {
  managementOnly(ctx);
  const id = String(jsonInput(req).PolicyId ?? '');
  const every = [ROOT_ID, ...ctx.fleet.accounts.keys()].flatMap((t) => scpsOf(ctx, t));
  const p = every.find((x) => x.id === id);
  if (!p)
    throw new AwsError(400, 'PolicyNotFoundException', `We can't find a policy with the PolicyId that you specified.`);
  // Content is plain JSON text (Organizations does not URL-encode it, unlike IAM).
  return awsJsonResponse({ Policy: { PolicySummary: summary(ctx, p), Content: p.document } }, ctx.requestId);
}

const ACTIONS: Record<string, ActionHandler> = {
  ListAccounts: listAccounts,
  DescribeOrganization: describeOrganization,
  ListParents: listParents,
  ListPoliciesForTarget: listPoliciesForTarget,
  DescribePolicy: describePolicy,
};

/** AWS Organizations (awsJson1_1): what planning a scan reads, and the SCPs of an account (ListParents, ListPoliciesForTarget, DescribePolicy). */
export const organizations: AwsService = {
  signingName: 'organizations',
  title: 'Organizations',
  protocol: 'awsJson1_1',
  regional: false,
  errors: {
    unrecognizedClient: {
      status: 400,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    },
    throttled: { status: 400, code: 'TooManyRequestsException', message: 'Rate exceeded' },
  },
  route: routeByAction('Organizations', 'sim/aws/organizations.ts', ACTIONS, (req) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || '(no target)';
  }),
  errorResponse: (e, requestId) => awsJsonError(e, requestId),
};
