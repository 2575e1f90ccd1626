import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { TokenCredential } from '@azure/core-auth';
import { ClientAssertionCredential, DefaultAzureCredential } from '@azure/identity';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import {
  AWS_WEB_IDENTITY,
  AZURE_FEDERATION_ENV,
  AZURE_TOKEN_EXCHANGE_AUDIENCE,
  WEB_IDENTITY_SIGNING_ALGORITHM,
  WEB_IDENTITY_TOKEN_SECONDS,
} from './federation.ts';

export { AWS_WEB_IDENTITY, AZURE_FEDERATION_ENV, AZURE_TOKEN_EXCHANGE_AUDIENCE };

/** The one STS call the assertion needs; an `STSClient` fits, and tests give a fake. */
export interface WebIdentityTokenSts {
  send(command: GetWebIdentityTokenCommand): Promise<{ WebIdentityToken?: string; Expiration?: Date }>;
}

export interface AwsWebIdentityAssertionOptions {
  sts: WebIdentityTokenSts;
  audience?: string;
  durationSeconds?: number;
  /**
   * A token is reused until this long before it expires. Entra ID checks the assertion's `exp` when it is presented,
   * so a token about to lapse is replaced rather than sent.
   */
  refreshBeforeMs?: number;
  now?: () => number;
}

/**
 * `getAssertion` for `ClientAssertionCredential`: a JWT from `sts:GetWebIdentityToken`, cached until shortly before it
 * expires. Concurrent callers share one STS call; a failed call is not cached, so the next one retries.
 */
export function awsWebIdentityAssertion(o: AwsWebIdentityAssertionOptions): () => Promise<string> {
  const audience = o.audience ?? AZURE_TOKEN_EXCHANGE_AUDIENCE;
  const durationSeconds = o.durationSeconds ?? WEB_IDENTITY_TOKEN_SECONDS;
  const refreshBeforeMs = o.refreshBeforeMs ?? 60_000;
  const now = o.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const requestedAt = now();
    let res: { WebIdentityToken?: string; Expiration?: Date };
    try {
      res = await o.sts.send(
        new GetWebIdentityTokenCommand({
          Audience: [audience],
          SigningAlgorithm: WEB_IDENTITY_SIGNING_ALGORITHM,
          DurationSeconds: durationSeconds,
        }),
      );
    } catch (e) {
      const name = (e as { name?: string })?.name;
      throw Object.assign(
        new Error(
          `sts:GetWebIdentityToken failed (${name && name !== 'Error' ? `${name}: ` : ''}${errorMessage(e).split('\n')[0]}). ` +
            'The Azure credential needs IAM outbound identity federation enabled in this account ' +
            '(iam:EnableOutboundWebIdentityFederation) and sts:GetWebIdentityToken granted to this role.',
          { cause: e },
        ),
        // @azure/identity's name for a credential that cannot produce a token; classifyAzureError reads it as AccessDenied.
        { name: 'CredentialUnavailableError' },
      );
    }
    if (!res.WebIdentityToken) throw new Error('sts:GetWebIdentityToken answered without a WebIdentityToken');
    // Without an Expiration, assume the requested lifetime from when the call started (the earliest it can have begun).
    const expiresAt = res.Expiration?.getTime() ?? requestedAt + durationSeconds * 1000;
    cached = { token: res.WebIdentityToken, expiresAt };
    return res.WebIdentityToken;
  }

  return async () => {
    if (cached && now() < cached.expiresAt - refreshBeforeMs) return cached.token;
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

export interface AzureCredentialDeps {
  /** STS client for the token. Default: a regional `STSClient` (the global endpoint does not serve GetWebIdentityToken). */
  sts?: WebIdentityTokenSts;
}

/**
 * The credential the Azure collector uses when none is injected. `KUBEPOSTURE_AZURE_FEDERATION=aws-web-identity`
 * (the Lambda functions, set by the stack): `ClientAssertionCredential` for `AZURE_TENANT_ID` / `AZURE_CLIENT_ID`, with an
 * AWS-signed JWT as the assertion, since no Azure secret is stored and DefaultAzureCredential finds nothing in Lambda.
 * Unset: `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI), as on a workstation.
 * `ClientAssertionCredential` also honours `AZURE_AUTHORITY_HOST` (and an `authorityHost` option) for sovereign clouds.
 */
export function azureCredentialFromEnv(
  env: Record<string, string | undefined> = process.env,
  deps: AzureCredentialDeps = {},
): TokenCredential {
  const mode = env[AZURE_FEDERATION_ENV];
  if (!mode) return new DefaultAzureCredential();
  if (mode !== AWS_WEB_IDENTITY) {
    throw new ConfigError(`${AZURE_FEDERATION_ENV} is '${mode}'; the only supported value is '${AWS_WEB_IDENTITY}'`);
  }
  const required = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', ...(deps.sts ? [] : ['AWS_REGION'])];
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`${AZURE_FEDERATION_ENV}=${AWS_WEB_IDENTITY} needs ${missing.join(', ')} to be set`);
  }
  const sts = deps.sts ?? new STSClient({ region: env.AWS_REGION! });
  return new ClientAssertionCredential(env.AZURE_TENANT_ID!, env.AZURE_CLIENT_ID!, awsWebIdentityAssertion({ sts }));
}
