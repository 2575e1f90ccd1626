import { GetWebIdentityTokenCommand } from '@aws-sdk/client-sts';
import { ClientAssertionCredential, DefaultAzureCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import {
  AZURE_TOKEN_EXCHANGE_AUDIENCE,
  awsWebIdentityAssertion,
  azureCredentialFromEnv,
  type WebIdentityTokenSts,
} from './credential.ts';
import { classifyAzureError } from './errors.ts';

/** A fake STS: hands out jwt-1, jwt-2, ... expiring `ttlMs` after the fake clock's now, and records every request. */
function fakeSts(clock: { now: number }, ttlMs = 300_000) {
  const inputs: unknown[] = [];
  const sts: WebIdentityTokenSts = {
    async send(command) {
      expect(command).toBeInstanceOf(GetWebIdentityTokenCommand);
      inputs.push(command.input);
      return { WebIdentityToken: `jwt-${inputs.length}`, Expiration: new Date(clock.now + ttlMs) };
    },
  };
  return { sts, inputs };
}

describe('awsWebIdentityAssertion', () => {
  it('passes the STS token through, asking for the Entra audience, RS256 and 300 seconds', async () => {
    const clock = { now: Date.UTC(2026, 10, 24) };
    const { sts, inputs } = fakeSts(clock);
    const assertion = awsWebIdentityAssertion({ sts, now: () => clock.now });
    await expect(assertion()).resolves.toBe('jwt-1');
    expect(inputs).toEqual([
      { Audience: [AZURE_TOKEN_EXCHANGE_AUDIENCE], SigningAlgorithm: 'RS256', DurationSeconds: 300 },
    ]);
  });

  it('reuses the token until a minute before it expires, then fetches a new one', async () => {
    const clock = { now: Date.UTC(2026, 10, 24) };
    const { sts, inputs } = fakeSts(clock);
    const assertion = awsWebIdentityAssertion({ sts, now: () => clock.now });
    expect(await assertion()).toBe('jwt-1');
    clock.now += 239_000; // 61 s left
    expect(await assertion()).toBe('jwt-1');
    clock.now += 1_000; // 60 s left: too close to send
    expect(await assertion()).toBe('jwt-2');
    expect(inputs).toHaveLength(2);
  });

  it('shares one STS call between concurrent callers', async () => {
    const clock = { now: 0 };
    const { sts, inputs } = fakeSts(clock);
    const assertion = awsWebIdentityAssertion({ sts, now: () => clock.now });
    expect(await Promise.all([assertion(), assertion(), assertion()])).toEqual(['jwt-1', 'jwt-1', 'jwt-1']);
    expect(inputs).toHaveLength(1);
  });

  it('assumes the requested lifetime when STS gives no Expiration', async () => {
    const clock = { now: 0 };
    let n = 0;
    const assertion = awsWebIdentityAssertion({
      sts: { send: async () => ({ WebIdentityToken: `jwt-${++n}` }) },
      now: () => clock.now,
    });
    expect(await assertion()).toBe('jwt-1');
    clock.now = 239_000;
    expect(await assertion()).toBe('jwt-1');
    clock.now = 240_000;
    expect(await assertion()).toBe('jwt-2');
  });

  it('surfaces an STS denial as a clear, access-denied error, and retries on the next call', async () => {
    let calls = 0;
    const denied = Object.assign(new Error('User is not authorized to perform: sts:GetWebIdentityToken'), {
      name: 'AccessDenied',
    });
    const assertion = awsWebIdentityAssertion({
      sts: {
        send: async () => {
          calls++;
          if (calls === 1) throw denied;
          return { WebIdentityToken: 'jwt-ok', Expiration: new Date(Date.now() + 300_000) };
        },
      },
    });
    const err = await assertion().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^sts:GetWebIdentityToken failed \(AccessDenied: User is not authorized.*iam:EnableOutboundWebIdentityFederation/,
    );
    expect((err as Error).cause).toBe(denied);
    expect(classifyAzureError(err)).toBe('AccessDenied');
    await expect(assertion()).resolves.toBe('jwt-ok');
  });

  it('refuses an answer without a token', async () => {
    const assertion = awsWebIdentityAssertion({ sts: { send: async () => ({}) } });
    await expect(assertion()).rejects.toThrow(/without a WebIdentityToken/);
  });
});

describe('azureCredentialFromEnv', () => {
  const sts: WebIdentityTokenSts = { send: async () => ({ WebIdentityToken: 'jwt' }) };
  const federated = {
    KUBEPOSTURE_AZURE_FEDERATION: 'aws-web-identity',
    AZURE_TENANT_ID: '33333333-3333-4333-8333-333333333333',
    AZURE_CLIENT_ID: '44444444-4444-4444-8444-444444444444',
    AWS_REGION: 'eu-west-1',
  };

  it('keeps DefaultAzureCredential when federation is not configured', () => {
    expect(azureCredentialFromEnv({})).toBeInstanceOf(DefaultAzureCredential);
  });

  it('builds a ClientAssertionCredential when federation is configured', () => {
    expect(azureCredentialFromEnv(federated, { sts })).toBeInstanceOf(ClientAssertionCredential);
    // The default regional STS client is built from AWS_REGION (no call is made until a token is needed).
    expect(azureCredentialFromEnv(federated)).toBeInstanceOf(ClientAssertionCredential);
  });

  it('names every missing variable', () => {
    const { AZURE_TENANT_ID: _t, AZURE_CLIENT_ID: _c, AWS_REGION: _r, ...partial } = federated;
    expect(() => azureCredentialFromEnv(partial)).toThrow(ConfigError);
    expect(() => azureCredentialFromEnv(partial)).toThrow(
      'KUBEPOSTURE_AZURE_FEDERATION=aws-web-identity needs AZURE_TENANT_ID, AZURE_CLIENT_ID, AWS_REGION to be set',
    );
    expect(() => azureCredentialFromEnv({ ...federated, AZURE_CLIENT_ID: '' }, { sts })).toThrow(
      /needs AZURE_CLIENT_ID/,
    );
  });

  it('refuses an unknown federation mode', () => {
    expect(() => azureCredentialFromEnv({ ...federated, KUBEPOSTURE_AZURE_FEDERATION: 'cognito' })).toThrow(
      /KUBEPOSTURE_AZURE_FEDERATION is 'cognito'; the only supported value is 'aws-web-identity'/,
    );
  });
});
