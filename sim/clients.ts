import type { EKSClientConfig } from '@aws-sdk/client-eks';
import { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { TokenCredential } from '@azure/core-auth';
import { OAuth2Client } from 'google-auth-library';
import type { SimulatedCloud } from './index.ts';

/**
 * Client configuration that points a real AWS SDK v3 client at the simulated cloud, with
 * explicit credentials (never the default chain, which could probe a metadata endpoint).
 *
 *   new EKSClient(simClientConfig(cloud, { region: 'eu-west-1', credentials: readerCredentials(cloud, '111111111111') }))
 */
export function simClientConfig(
  cloud: Pick<SimulatedCloud, 'aws' | 'callerCredentials'>,
  o: { region?: string; credentials?: EKSClientConfig['credentials'] } = {},
) {
  return {
    region: o.region ?? 'us-east-1',
    endpoint: cloud.aws.endpoint,
    credentials: o.credentials ?? cloud.callerCredentials,
  };
}

/** An S3 client for the simulated S3: path-style (`/bucket/key`), explicit credentials, no retries. */
export function simS3Client(
  cloud: Pick<SimulatedCloud, 'aws' | 'callerCredentials'>,
  o: { region?: string; credentials?: EKSClientConfig['credentials'] } = {},
): S3Client {
  return new S3Client({ ...simClientConfig(cloud, o), forcePathStyle: true, maxAttempts: 1 });
}

/** Credentials for the fleet's reader role in `accountId`, assumed through the simulated STS with the caller's keys. */
export function readerCredentials(
  cloud: Pick<SimulatedCloud, 'aws' | 'callerCredentials' | 'spec'>,
  accountId: string,
  o: { roleName?: string; externalId?: string; sessionName?: string } = {},
): ReturnType<typeof fromTemporaryCredentials> {
  return fromTemporaryCredentials({
    params: {
      RoleArn: `arn:aws:iam::${accountId}:role/${o.roleName ?? cloud.spec.readerRoleName}`,
      RoleSessionName: o.sessionName ?? 'kubeposture-test',
      ...(o.externalId ? { ExternalId: o.externalId } : {}),
    },
    masterCredentials: cloud.callerCredentials,
    clientConfig: { region: 'us-east-1', endpoint: cloud.aws.endpoint },
  });
}

/** A fixed-token Azure credential: the simulator checks only that a bearer token is present. Never reaches Entra. */
export function simAzureCredential(): TokenCredential {
  return { getToken: async () => ({ token: 'sim-arm-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** A Google auth client with a fixed access token: no ADC lookup, no metadata-server probe. */
export function simGoogleAuthClient(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'sim-gcp-token', expiry_date: Date.now() + 3_600_000 });
  return auth;
}
