import { AwsError, awsJsonError, awsJsonResponse } from './protocol.ts';
import { type ActionHandler, type AwsRequest, type AwsService, type RequestContext, routeByAction } from './service.ts';

/**
 * SSM (awsJson1.1): the public parameters under `/aws/service/` that name the EKS-optimized and
 * Bottlerocket releases AWS recommends (sim/references.ts), served to any account.
 */

function input(req: AwsRequest): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(req.body || '{}');
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError(400, 'SerializationException', 'The request body is not a JSON object.');
}

function getParameter(req: AwsRequest, ctx: RequestContext) {
  const name = input(req).Name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new AwsError(
      400,
      'ValidationException',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  }
  const p = name.startsWith('/aws/service/') ? ctx.fleet.references.parameter(name) : undefined;
  if (!p) throw new AwsError(400, 'ParameterNotFound', `Parameter ${name} not found.`);
  return awsJsonResponse(
    {
      Parameter: {
        Name: name,
        Type: 'String',
        Value: p.value,
        Version: 1,
        LastModifiedDate: p.lastModifiedDate,
        ARN: `arn:aws:ssm:${ctx.region}::parameter${name}`,
        DataType: 'text',
      },
    },
    ctx.requestId,
  );
}

const ACTIONS: Record<string, ActionHandler> = { GetParameter: getParameter };

export const ssm: AwsService = {
  signingName: 'ssm',
  title: 'SSM',
  protocol: 'awsJson1_1',
  regional: true,
  errors: {
    unrecognizedClient: {
      status: 400,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    },
    throttled: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
    accessDenied: { status: 400, code: 'AccessDeniedException', message: '' },
  },
  route: routeByAction('SSM', 'sim/aws/ssm.ts', ACTIONS, (req) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    return target.startsWith('AmazonSSM.')
      ? target.slice('AmazonSSM.'.length)
      : `(X-Amz-Target ${target || 'missing'})`;
  }),
  errorResponse: (e, requestId) => awsJsonError(e, requestId),
};
