import { AWS_QUERY_ERRORS, AwsError, awsQueryError, awsQueryResponse } from './protocol.ts';
import { type ActionHandler, type AwsRequest, type AwsService, type RequestContext, routeByAction } from './service.ts';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** The reader role's MaxSessionDuration. */
const MAX_SESSION_SECONDS = 3600;

function assumeRole(req: AwsRequest, ctx: RequestContext) {
  const roleArn = req.params.get('RoleArn') ?? '';
  const sessionName = req.params.get('RoleSessionName') ?? '';
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new AwsError(400, 'ValidationError', `${roleArn || 'RoleArn'} is not a valid role ARN.`);
  if (!SESSION_NAME.test(sessionName)) {
    throw new AwsError(
      400,
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const duration = Number(req.params.get('DurationSeconds') ?? MAX_SESSION_SECONDS);
  if (!Number.isInteger(duration) || duration < 900) {
    throw new AwsError(400, 'ValidationError', 'DurationSeconds must be an integer of at least 900.');
  }
  if (duration > MAX_SESSION_SECONDS) {
    throw new AwsError(
      400,
      'ValidationError',
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
    );
  }
  const [, , accountId, roleName] = m as unknown as [string, string, string, string];
  const account = ctx.fleet.account(accountId);
  const allowed =
    account !== undefined &&
    !account.denyAssumeRole &&
    !ctx.options.deniedAccounts.has(accountId) &&
    account.readerRoleName === roleName &&
    (account.externalId === undefined || account.externalId === req.params.get('ExternalId'));
  if (!allowed) {
    throw new AwsError(
      403,
      'AccessDenied',
      `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  const p = ctx.identities.issue(roleArn, accountId, roleName, sessionName, duration);
  return awsQueryResponse(
    'AssumeRole',
    XMLNS,
    {
      Credentials: {
        AccessKeyId: p.accessKeyId,
        SecretAccessKey: p.secretAccessKey,
        SessionToken: p.sessionToken,
        Expiration: p.expiration,
      },
      AssumedRoleUser: { AssumedRoleId: p.userId, Arn: p.arn },
    },
    ctx.requestId,
  );
}

function getCallerIdentity(_req: AwsRequest, ctx: RequestContext) {
  const { userId, accountId, arn } = ctx.principal;
  return awsQueryResponse('GetCallerIdentity', XMLNS, { Arn: arn, UserId: userId, Account: accountId }, ctx.requestId);
}

const ACTIONS: Record<string, ActionHandler> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

export const sts: AwsService = {
  signingName: 'sts',
  title: 'STS',
  protocol: 'awsQuery',
  regional: false,
  errors: AWS_QUERY_ERRORS,
  route: routeByAction('STS', 'sim/aws/sts.ts', ACTIONS),
  errorResponse: (e, requestId) => awsQueryError(e, XMLNS, requestId),
};
