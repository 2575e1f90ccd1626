import type { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { assumeRoleOnce } from './credentials.ts';

function fakeSts(results: (() => unknown)[]) {
  let i = 0;
  return {
    sent: () => i,
    client: {
      send: async () => {
        const next = results[Math.min(i, results.length - 1)]!;
        i++;
        return next();
      },
    } as unknown as STSClient,
  };
}

const creds = (expiration: Date) => ({
  Credentials: { AccessKeyId: 'ASIAFAKE', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration },
});

describe('assumeRoleOnce', () => {
  const params = { roleArn: 'arn:aws:iam::111111111111:role/KubepostureReader', sessionName: 'kubeposture' };

  it('calls AssumeRole once however many clients ask for credentials', async () => {
    const sts = fakeSts([() => creds(new Date(Date.now() + 3_600_000))]);
    const provider = assumeRoleOnce(sts.client, params);
    const all = await Promise.all([provider(), provider(), provider()]);
    expect(all.every((c) => c.accessKeyId === 'ASIAFAKE')).toBe(true);
    expect(sts.sent()).toBe(1);
    expect(provider.calls()).toBe(1);
  });

  it('remembers a denial instead of asking again for every region', async () => {
    const sts = fakeSts([
      () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      },
    ]);
    const provider = assumeRoleOnce(sts.client, params);
    await expect(provider()).rejects.toThrow('not authorized');
    await expect(provider()).rejects.toThrow('not authorized');
    expect(sts.sent()).toBe(1);
  });

  it('assumes the role again when the credentials are about to expire', async () => {
    let now = 0;
    const sts = fakeSts([() => creds(new Date(3_600_000)), () => creds(new Date(7_200_000))]);
    const provider = assumeRoleOnce(sts.client, params, () => now);
    await provider();
    now = 3_400_000; // within the 5-minute refresh margin
    const second = await provider();
    expect(sts.sent()).toBe(2);
    expect(second.expiration?.getTime()).toBe(7_200_000);
  });

  it('fails clearly when AssumeRole returns no credentials', async () => {
    const sts = fakeSts([() => ({})]);
    await expect(assumeRoleOnce(sts.client, params)()).rejects.toThrow(/returned no credentials/);
  });
});
