import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { classifyAwsError } from './errors.ts';

/** Longest we honour a server's Retry-After, so one answer cannot stall a scan. */
const MAX_RETRY_AFTER_MS = 30_000;
/**
 * Attempts for an answer that failed its schema or did not parse (a truncated or empty body): a second try usually
 * gets the real answer through a flaky hop, but a service that keeps answering it will not change its mind.
 */
export const MALFORMED_MAX_ATTEMPTS = 3;

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
 * Retries throttling and transient errors (5xx, resets, the HTTP handler's `TimeoutError` for a request or socket
 * timeout) up to `maxAttempts`, and malformed answers up to MALFORMED_MAX_ATTEMPTS, with the given backoff.
 * An aborted call (the target deadline) is never retried: the SDK classifies `AbortError` as a client error.
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
    const malformed = info.errorType === 'CLIENT_ERROR' && classifyAwsError(info.error) === 'Malformed';
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT' || malformed;
    const maxAttempts = malformed
      ? Math.min(MALFORMED_MAX_ATTEMPTS, this.options.maxAttempts)
      : this.options.maxAttempts;
    if (!retryable || retry >= maxAttempts) {
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
