import type { RetryErrorInfo } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../common/response.ts';
import { MALFORMED_MAX_ATTEMPTS, PatientRetryStrategy } from './retry.ts';

const throttled: RetryErrorInfo = { errorType: 'THROTTLING' };

describe('PatientRetryStrategy', () => {
  it('retries throttling until maxAttempts, with the configured delays', async () => {
    const s = new PatientRetryStrategy({ maxAttempts: 4, delay: (n) => n * 10 });
    let token = await s.acquireInitialRetryToken('eks');
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      token = await s.refreshRetryTokenForRetry(token, throttled);
      delays.push(token.getRetryDelay());
    }
    expect(delays).toEqual([10, 20, 30]);
    await expect(s.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow();
  });

  it('keeps retrying after hundreds of throttled calls: no shared quota runs dry', async () => {
    const s = new PatientRetryStrategy({ maxAttempts: 3, delay: () => 0 });
    for (let call = 0; call < 500; call++) {
      const first = await s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken('eks'), throttled);
      expect(first.getRetryCount()).toBe(1);
    }
  });

  it('does not retry client errors such as AccessDenied', async () => {
    const s = new PatientRetryStrategy({ maxAttempts: 5, delay: () => 0 });
    await expect(
      s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken('sts'), { errorType: 'CLIENT_ERROR' }),
    ).rejects.toThrow();
  });

  it('retries a request timeout (the SDK calls it TRANSIENT) like a 5xx, up to maxAttempts', async () => {
    const s = new PatientRetryStrategy({ maxAttempts: 4, delay: () => 0 });
    const timeout: RetryErrorInfo = {
      errorType: 'TRANSIENT',
      error: Object.assign(new Error('a request has exceeded the configured 300 ms requestTimeout.'), {
        name: 'TimeoutError',
      }),
    } as RetryErrorInfo;
    let token = await s.acquireInitialRetryToken('eks');
    for (let i = 0; i < 3; i++) token = await s.refreshRetryTokenForRetry(token, timeout);
    await expect(s.refreshRetryTokenForRetry(token, timeout)).rejects.toThrow();
  });

  it('retries a malformed answer only a little: a service that keeps sending it will not change its mind', async () => {
    const s = new PatientRetryStrategy({ maxAttempts: 8, delay: () => 0 });
    const malformed = {
      errorType: 'CLIENT_ERROR',
      error: new MalformedResponseError('eks:ListClusters', '{}'),
    } as RetryErrorInfo;
    let token = await s.acquireInitialRetryToken('eks');
    for (let i = 1; i < MALFORMED_MAX_ATTEMPTS; i++) token = await s.refreshRetryTokenForRetry(token, malformed);
    await expect(s.refreshRetryTokenForRetry(token, malformed)).rejects.toThrow();
  });

  it('honours Retry-After, up to 30 seconds', async () => {
    const now = 1_000_000;
    const s = new PatientRetryStrategy({ maxAttempts: 5, delay: () => 5, now: () => now });
    const t0 = await s.acquireInitialRetryToken('eks');
    const hinted = await s.refreshRetryTokenForRetry(t0, { ...throttled, retryAfterHint: new Date(now + 2_000) });
    expect(hinted.getRetryDelay()).toBe(2_000);
    const capped = await s.refreshRetryTokenForRetry(t0, { ...throttled, retryAfterHint: new Date(now + 600_000) });
    expect(capped.getRetryDelay()).toBe(30_000);
  });
});
