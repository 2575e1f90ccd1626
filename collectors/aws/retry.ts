import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/** Longest we honour a server's Retry-After, so one answer cannot stall a scan. */
const MAX_RETRY_AFTER_MS = 30_000;

export interface PatientRetryOptions {
  maxAttempts: number;
  /** Delay before retry `n` (1-based). */
  delay: (retry: number) => number;
  now?: () => number;
}

class Token implements RetryToken {
  constructor(
    private readonly count: number,
    private readonly delayMs: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delayMs;
  }
}

/**
 * Retries throttling and transient errors up to `maxAttempts`, with the given backoff.
 *
 * Unlike the SDK's standard strategy it keeps no per-client retry quota: that quota (500 tokens,
 * 5 per retry, refunded only partly on success) runs dry under sustained throttling and then
 * fails calls early, which for a posture scan means clusters reported as ERROR that patience
 * would have read. Bounded attempts, jittered backoff and the scan's own concurrency limits
 * are what keep retries from becoming a storm.
 */
export class PatientRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';

  constructor(private readonly options: PatientRetryOptions) {}

  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return new Token(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retry = token.getRetryCount() + 1;
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
    if (!retryable || retry >= this.options.maxAttempts) {
      // The middleware rethrows the original error, with $metadata.attempts set.
      throw new Error('No retry token available');
    }
    let delay = this.options.delay(retry);
    if (info.retryAfterHint instanceof Date) {
      const hinted = info.retryAfterHint.getTime() - (this.options.now ?? Date.now)();
      delay = Math.max(delay, Math.min(hinted, MAX_RETRY_AFTER_MS));
    }
    return new Token(retry, Math.max(0, delay));
  }

  recordSuccess(_token: RetryToken): void {}
}
