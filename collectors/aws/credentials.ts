import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Refresh a little before expiry, so a long scan never signs with credentials about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface AssumeRoleParams {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds?: number;
}

/**
 * A credential provider that calls AssumeRole once and shares the result with every client
 * (all regions of the account). A failure is remembered for the rest of the scan, so a denied
 * account costs one AssumeRole, not one per region and service.
 */
export function assumeRoleOnce(
  sts: STSClient,
  params: AssumeRoleParams,
  clock: () => number = Date.now,
): AwsCredentialIdentityProvider & { calls: () => number } {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let calls = 0;
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    calls++;
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: params.roleArn,
        RoleSessionName: params.sessionName,
        ExternalId: params.externalId,
        DurationSeconds: params.durationSeconds ?? 3600,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new Error(`AssumeRole ${params.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
  const provider = async (): Promise<AwsCredentialIdentity> => {
    if (pending) {
      const current = await pending.catch(() => undefined);
      const exp = current?.expiration?.getTime();
      if (!current || exp === undefined || exp - clock() > REFRESH_MARGIN_MS) return pending;
    }
    pending = fetch();
    return pending;
  };
  return Object.assign(provider, { calls: () => calls });
}
