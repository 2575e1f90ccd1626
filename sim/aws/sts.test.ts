import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { testFleet } from './fixture.ts';

let cloud: SimulatedCloud;
beforeAll(async () => {
  cloud = await startSimulatedCloud(testFleet(), { deniedAccounts: ['222222222222'] });
});
afterAll(() => cloud.close());

const sts = (credentials?: NonNullable<Parameters<typeof simClientConfig>[1]>['credentials']) =>
  new STSClient({ ...simClientConfig(cloud, { credentials }), maxAttempts: 1 });

async function assumeError(roleArn: string, extra: { ExternalId?: string } = {}) {
  return sts()
    .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'kubeposture', ...extra }))
    .then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
    );
}

describe('STS', () => {
  it('identifies the caller by its static keys', async () => {
    expect(cloud.callerCredentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const me = await sts().send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/kubeposture-scanner' });
    expect(me.UserId).toMatch(/^AIDA/);
  });

  it('issues temporary credentials for the reader role, expiring in an hour', async () => {
    const before = Date.now();
    const out = await sts().send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/KubepostureReader', RoleSessionName: 'scan-1' }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    const ttl = out.Credentials!.Expiration!.getTime() - before;
    expect(ttl).toBeGreaterThan(3590_000);
    expect(ttl).toBeLessThan(3610_000);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111111111111:assumed-role/KubepostureReader/scan-1');
  });

  it('reports the assumed role as the identity of the temporary credentials', async () => {
    const me = await sts(readerCredentials(cloud, '111111111111', { sessionName: 'kp' })).send(
      new GetCallerIdentityCommand({}),
    );
    expect(me.Account).toBe('111111111111');
    expect(me.Arn).toBe('arn:aws:sts::111111111111:assumed-role/KubepostureReader/kp');
    expect(me.UserId).toMatch(/^AROA[A-Z2-7]+:kp$/);
  });

  it('denies AssumeRole into an account marked denyAssumeRole, in the STS error format', async () => {
    const e = await assumeError('arn:aws:iam::333333333333:role/KubepostureReader');
    expect(e?.name).toBe('AccessDenied');
    expect(e?.$metadata?.httpStatusCode).toBe(403);
    expect(e?.message).toBe(
      'User: arn:aws:iam::999999999999:user/kubeposture-scanner is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/KubepostureReader',
    );
    expect(
      cloud.count({ service: 'sts', action: 'AssumeRole', status: 403, errorCode: 'AccessDenied' }),
    ).toBeGreaterThan(0);
  });

  it('denies accounts listed in the deniedAccounts option', async () => {
    expect((await assumeError('arn:aws:iam::222222222222:role/KubepostureReader'))?.name).toBe('AccessDenied');
  });

  it('denies unknown accounts and roles other than the reader role', async () => {
    expect((await assumeError('arn:aws:iam::555555555555:role/KubepostureReader'))?.name).toBe('AccessDenied');
    expect((await assumeError('arn:aws:iam::111111111111:role/Admin'))?.name).toBe('AccessDenied');
  });

  it('honours a per-account role name and external id', async () => {
    const arn = 'arn:aws:iam::444444444444:role/AuditReader';
    expect((await assumeError(arn))?.name).toBe('AccessDenied');
    expect((await assumeError(arn, { ExternalId: 'wrong' }))?.name).toBe('AccessDenied');
    expect(await assumeError(arn, { ExternalId: 'ext-4444' })).toBeUndefined();
  });

  it('rejects a malformed role ARN as a validation error', async () => {
    const e = await assumeError('arn:aws:iam::1111:role/KubepostureReader');
    expect(e?.name).toBe('ValidationError');
    expect(e?.$metadata?.httpStatusCode).toBe(400);
  });

  it('rejects unknown access keys with each service’s own error', async () => {
    const credentials = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'nope' };
    await expect(sts(credentials).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    const eks = new EKSClient({ ...simClientConfig(cloud, { credentials }), maxAttempts: 1 });
    await expect(eks.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    const ec2 = new EC2Client({ ...simClientConfig(cloud, { credentials }), maxAttempts: 1 });
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({
      name: 'AuthFailure',
      $metadata: { httpStatusCode: 401 },
    });
  });

  it('rejects temporary keys sent without their session token', async () => {
    const out = await sts().send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/KubepostureReader', RoleSessionName: 'x1' }),
    );
    const credentials = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
    };
    await expect(sts(credentials).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });

  it('answers an action it does not simulate with a 400 that names it', async () => {
    await expect(sts().send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: 'InvalidAction',
      message: expect.stringContaining('does not implement STS action GetSessionToken'),
      $metadata: { httpStatusCode: 400 },
    });
  });
});
