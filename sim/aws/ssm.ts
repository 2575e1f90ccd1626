import { AwsError, awsJsonResponse } from './protocol.ts';
import {
  type ActionHandler,
  type AwsRequest,
  type AwsService,
  awsJson11Service,
  type RequestContext,
} from './service.ts';

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

export const ssm: AwsService = awsJson11Service({
  signingName: 'ssm',
  title: 'SSM',
  file: 'sim/aws/ssm.ts',
  targetPrefix: 'AmazonSSM.',
  actions: ACTIONS,
});
