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

const ACTIONS: Record<string, ActionHandler> = {
  ListAccounts: listAccounts,
  DescribeOrganization: describeOrganization,
};

/** AWS Organizations (awsJson1_1): only what planning a scan reads. */
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
