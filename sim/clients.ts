import type { EKSClientConfig } from '@aws-sdk/client-eks';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
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
