/**
 * Client-side pacing of AWS calls: a token bucket per (account, region, service), shared by every SDK client of
 * that key, whose rate learns from the service. AWS throttles per account, region and API family with buckets it
 * does not publish (EKS, IAM, Organizations: docs/rate-limits in /work/shared/reference); bouncing off them costs a
 * throttled answer plus a backoff per call, while pacing at the sustainable rate costs nothing.
 *
 * Learning (AIMD, as TCP and the SDK's adaptive mode): a throttling answer halves the rate (at most once per
 * `cooldown`, since the answers of calls already in flight report the same overload) and empties the bucket; each
 * success adds `increasePerSecond / rate`, so a saturated client gains about `increasePerSecond` per second, and
 * only while it is actually held back by the limiter (demand above the rate).
 */

export interface RateLimitSettings {
  /** Calls per second a key starts at. */
  initialRate: number;
  /** Calls a key may make at once after a quiet spell. */
  burst: number;
  /** Floor of the learnt rate. */
  minRate: number;
  /** Ceiling of the learnt rate. */
  maxRate: number;
  /** Rate gained per second of saturated success. */
  increasePerSecond: number;
  /** Factor applied to the rate on a throttling answer. */
  decrease: number;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    // Not unref'd: the timer exists only while calls wait for a token, and a pending promise does not keep Node alive;
    // an unref'd timer let the CLI exit mid-scan ("unsettled top-level await", exit 13) while every call waited.
    return setTimeout(fn, ms);
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** One key's bucket. */
export class AdaptiveRateLimiter {
  private tokens: number;
  private at: number;
  private rateNow: number;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private readonly queue: Waiter[] = [];
  private timer: unknown;
  /** Throttling answers seen, and calls that had to wait for a token (for tests and the bench). */
  throttles = 0;
  waited = 0;

  constructor(
    private readonly s: RateLimitSettings,
    private readonly clock: Clock = realClock,
  ) {
    this.rateNow = s.initialRate;
    this.tokens = s.burst;
    this.at = clock.now();
  }

  get rate(): number {
    return this.rateNow;
  }

  private refill(): void {
    const t = this.clock.now();
    this.tokens = Math.min(this.s.burst, this.tokens + ((t - this.at) / 1000) * this.rateNow);
    this.at = t;
  }

  /**
   * Resolves when the call may go. FIFO: a call never overtakes one that waits. Rejects with the signal's reason
   * as soon as it aborts (the target deadline), so a wait can never outlive it.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    this.waited++;
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      if (signal) {
        w.signal = signal;
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
          this.schedule();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.schedule();
    });
  }

  /**
   * Lets waiting calls go as tokens come, and sets a timer for the next token unless one is set already (a timer
   * that fires early, after a throttle lowered the rate, finds no token and sets the next one).
   */
  private schedule(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      const w = this.queue.shift()!;
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
    if (this.queue.length > 0 && this.timer === undefined) {
      const ms = Math.max(1, ((1 - this.tokens) / this.rateNow) * 1000);
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, ms);
    }
  }

  /** A call was answered (not throttled): probe upwards, but only when the limiter is what holds calls back. */
  succeeded(): void {
    if (this.queue.length === 0 && this.tokens >= 1) return;
    this.refill();
    this.rateNow = Math.min(this.s.maxRate, this.rateNow + this.s.increasePerSecond / this.rateNow);
  }

  /** The service said slow down: the sustainable rate is below ours, and its bucket is empty. */
  throttled(): void {
    this.throttles++;
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    const t = this.clock.now();
    // The answers of calls sent before the first decrease took effect describe the same overload.
    const cooldownMs = Math.max(100, 1000 / this.rateNow);
    if (t - this.lastDecrease >= cooldownMs) {
      this.rateNow = Math.max(this.s.minRate, this.rateNow * this.s.decrease);
      this.lastDecrease = t;
    }
    this.schedule();
  }
}

/** The limiters of one scan, by `account/region/service`: every client of a key shares its limiter. */
export class RateLimiters {
  private readonly byKey = new Map<string, AdaptiveRateLimiter>();

  constructor(
    private readonly settings: (service: string) => RateLimitSettings,
    private readonly clock: Clock = realClock,
  ) {}

  for(accountId: string, region: string, service: string): AdaptiveRateLimiter {
    const key = `${accountId}/${region}/${service}`;
    let l = this.byKey.get(key);
    if (!l) {
      l = new AdaptiveRateLimiter(this.settings(service), this.clock);
      this.byKey.set(key, l);
    }
    return l;
  }

  /** How many keys have a limiter. */
  get size(): number {
    return this.byKey.size;
  }

  /** Throttling answers seen by all keys. */
  throttles(): number {
    let n = 0;
    for (const l of this.byKey.values()) n += l.throttles;
    return n;
  }
}

/** The settings of each service from the configuration (`aws.rateLimits`): its `services` entry over the defaults. */
export function rateLimitSettings(
  config: RateLimitSettings & { services: Partial<Record<string, Pick<RateLimitSettings, 'initialRate' | 'burst'>>> },
): (service: string) => RateLimitSettings {
  return (service) => {
    const own = config.services[service];
    const initialRate = own?.initialRate ?? config.initialRate;
    return {
      initialRate,
      burst: own?.burst ?? config.burst,
      // A service started above the common ceiling (or below its floor) keeps its own start as the bound.
      minRate: Math.min(config.minRate, initialRate),
      maxRate: Math.max(config.maxRate, initialRate),
      increasePerSecond: config.increasePerSecond,
      decrease: config.decrease,
    };
  };
}
