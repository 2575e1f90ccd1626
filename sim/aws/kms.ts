import { parseKmsKeyArn, type SimKmsKey } from '../fleet.ts';
import { AwsError, awsJsonResponse } from './protocol.ts';
import {
  type ActionHandler,
  type AwsRequest,
  type AwsService,
  awsJson11Service,
  type RequestContext,
} from './service.ts';

/**
 * KMS (awsJson1.1, `TrentService.*`): DescribeKey and GetKeyRotationStatus on the keys of the fleet spec
 * (`accounts[].kmsKeys`, plus the keys an account's own clusters name). A key is addressed by its ARN or, in the
 * caller's account and region, by its id. Another account's key answers AccessDeniedException unless its
 * `grantTo` names the caller (its key policy); a key that does not exist, NotFoundException.
 */

const TARGET_PREFIX = 'TrentService.';

function keyIdOf(req: AwsRequest): string {
  let input: { KeyId?: unknown };
  try {
    input = JSON.parse(req.body || '{}') as typeof input;
  } catch {
    throw new AwsError(400, 'SerializationException', 'The request body is not JSON.');
  }
  if (typeof input.KeyId !== 'string' || input.KeyId.length === 0)
    throw new AwsError(
      400,
      'ValidationException',
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
  return input.KeyId;
}

/** The key a request names, as this caller may see it; throws what KMS answers otherwise. */
function resolveKey(
  req: AwsRequest,
  ctx: RequestContext,
  action: string,
): { key: SimKmsKey; arn: string; owner: string } {
  const asked = keyIdOf(req);
  const parsed = parseKmsKeyArn(asked);
  const caller = ctx.principal.accountId;
  const owner = parsed?.accountId ?? caller;
  const region = parsed?.region ?? ctx.region;
  const keyId = parsed?.keyId ?? asked;
  const arn = `arn:aws:kms:${region}:${owner}:key/${keyId}`;
  const key = region === ctx.region ? ctx.fleet.kmsKey(owner, region, keyId) : undefined;
  if (owner !== caller && !key?.grantTo.includes(caller))
    // What KMS says whether or not another account's key exists: the caller cannot tell.
    throw new AwsError(
      400,
      'AccessDeniedException',
      `User: ${ctx.principal.arn} is not authorized to perform: kms:${action} on resource: ${arn} because no resource-based policy allows the kms:${action} action`,
    );
  if (!key) throw new AwsError(400, 'NotFoundException', `Key '${arn}' does not exist`);
  return { key, arn, owner };
}

function describeKey(req: AwsRequest, ctx: RequestContext) {
  const { key, arn, owner } = resolveKey(req, ctx, 'DescribeKey');
  return awsJsonResponse(
    {
      KeyMetadata: {
        AWSAccountId: owner,
        KeyId: key.keyId,
        Arn: arn,
        CreationDate: new Date('2025-02-10T09:30:00Z'),
        Enabled: key.state === 'Enabled',
        Description: 'EKS secrets envelope encryption',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: key.state,
        ...(key.deletionDate ? { DeletionDate: key.deletionDate, PendingDeletionWindowInDays: 7 } : {}),
        Origin: key.state === 'PendingImport' ? 'EXTERNAL' : 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      },
    },
    ctx.requestId,
  );
}

function getKeyRotationStatus(req: AwsRequest, ctx: RequestContext) {
  const { key, arn } = resolveKey(req, ctx, 'GetKeyRotationStatus');
  if (key.state !== 'Enabled' && key.state !== 'Disabled')
    throw new AwsError(400, 'KMSInvalidStateException', `${arn} is ${key.state}`);
  return awsJsonResponse(
    {
      KeyId: arn,
      KeyRotationEnabled: key.rotation,
      ...(key.rotation ? { RotationPeriodInDays: 365, NextRotationDate: new Date('2026-02-10T09:30:00Z') } : {}),
    },
    ctx.requestId,
  );
}

const ACTIONS: Record<string, ActionHandler> = {
  DescribeKey: describeKey,
  GetKeyRotationStatus: getKeyRotationStatus,
};

export const kms: AwsService = awsJson11Service({
  signingName: 'kms',
  title: 'KMS',
  file: 'sim/aws/kms.ts',
  targetPrefix: TARGET_PREFIX,
  actions: ACTIONS,
});
