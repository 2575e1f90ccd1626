import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { parseFleetSpec } from '../spec.ts';

const OWN = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-4333-8444-555555555555';
const IMPLICIT = 'arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const SHARED = 'arn:aws:kms:us-east-1:222222222222:key/99999999-8888-4777-8666-555555555555';
const PRIVATE = 'arn:aws:kms:us-east-1:222222222222:key/12345678-1234-4234-8234-123456789012';

let cloud: SimulatedCloud;
beforeAll(async () => {
  cloud = await startSimulatedCloud(
    parseFleetSpec({
      caller: { accountId: '999999999999' },
      accounts: [
        {
          id: '111111111111',
          enabledRegions: ['us-east-1'],
          clusters: [
            {
              name: 'a',
              region: 'us-east-1',
              encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: IMPLICIT } }],
            },
          ],
          kmsKeys: [
            {
              keyId: '11111111-2222-4333-8444-555555555555',
              region: 'us-east-1',
              state: 'PendingDeletion',
              deletionDate: '2026-07-01T00:00:00Z',
              rotation: false,
            },
          ],
        },
        {
          id: '222222222222',
          enabledRegions: ['us-east-1'],
          kmsKeys: [
            {
              keyId: '99999999-8888-4777-8666-555555555555',
              region: 'us-east-1',
              grantTo: ['111111111111'],
              rotation: false,
            },
            { keyId: '12345678-1234-4234-8234-123456789012', region: 'us-east-1' },
          ],
        },
      ],
    }),
  );
});
afterAll(() => cloud.close());

const kms = () =>
  new KMSClient({
    ...simClientConfig(cloud, { credentials: readerCredentials(cloud, '111111111111') }),
    maxAttempts: 1,
  });
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e.name,
  );

describe('KMS (TrentService over awsJson1.1)', () => {
  it('describes a key the account’s own cluster names: Enabled, customer-managed, rotating', async () => {
    const { KeyMetadata: m } = await kms().send(new DescribeKeyCommand({ KeyId: IMPLICIT }));
    expect(m).toMatchObject({
      KeyState: 'Enabled',
      KeyManager: 'CUSTOMER',
      AWSAccountId: '111111111111',
      Arn: IMPLICIT,
    });
    expect((await kms().send(new GetKeyRotationStatusCommand({ KeyId: IMPLICIT }))).KeyRotationEnabled).toBe(true);
  });

  it('describes a declared key pending deletion, with its date, by ARN or bare id', async () => {
    const { KeyMetadata: m } = await kms().send(
      new DescribeKeyCommand({ KeyId: '11111111-2222-4333-8444-555555555555' }),
    );
    expect(m).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, Arn: OWN });
    expect(m?.DeletionDate?.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(await fails(kms().send(new GetKeyRotationStatusCommand({ KeyId: OWN })))).toBe('KMSInvalidStateException');
  });

  it('answers NotFoundException for an unknown key of the account', async () => {
    const unknown = 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000';
    expect(await fails(kms().send(new DescribeKeyCommand({ KeyId: unknown })))).toBe('NotFoundException');
  });

  it('lets another account describe a key only when the key grants it', async () => {
    const { KeyMetadata: m } = await kms().send(new DescribeKeyCommand({ KeyId: SHARED }));
    expect(m).toMatchObject({ AWSAccountId: '222222222222', KeyState: 'Enabled' });
    expect((await kms().send(new GetKeyRotationStatusCommand({ KeyId: SHARED }))).KeyRotationEnabled).toBe(false);
    expect(await fails(kms().send(new DescribeKeyCommand({ KeyId: PRIVATE })))).toBe('AccessDeniedException');
    // A key of an account outside the fleet: refused, as KMS does whether or not it exists.
    const outside = 'arn:aws:kms:us-east-1:444455556666:key/12345678-1234-4234-8234-123456789012';
    expect(await fails(kms().send(new DescribeKeyCommand({ KeyId: outside })))).toBe('AccessDeniedException');
  });
});
