import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import {
  AdaptiveRateLimiter,
  type Clock,
  RateLimiters,
  type RateLimitSettings,
  rateLimitSettings,
} from './rate-limit.ts';

/** A clock that moves only when told, running the timers that fall due. */
class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  /** Advances by `ms`, firing due timers in order, and lets resolved promises run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const SETTINGS: RateLimitSettings = {
  initialRate: 10,
  burst: 5,
  minRate: 1,
  maxRate: 100,
  increasePerSecond: 2,
  decrease: 0.5,
};

/** Starts `n` acquisitions and records when each was granted. */
function start(limiter: AdaptiveRateLimiter, clock: FakeClock, n: number, signal?: AbortSignal) {
  const granted: number[] = [];
  const errors: unknown[] = [];
  for (let i = 0; i < n; i++) {
    limiter.acquire(signal).then(
      () => granted.push(clock.t),
      (e: unknown) => errors.push(e),
    );
  }
  return { granted, errors };
}

describe('AdaptiveRateLimiter', () => {
  it('lets a burst through at once, then paces the rest at the rate, first come first served', async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter(SETTINGS, clock);
    const { granted } = start(limiter, clock, 8);
    await flush();
    expect(granted).toEqual([0, 0, 0, 0, 0]);
    await clock.advance(1_000);
    // 10/s: one token every 100 ms.
    expect(granted).toEqual([0, 0, 0, 0, 0, 100, 200, 300]);
  });

  it('halves its rate and empties its bucket on a throttling answer, once for a volley of them', async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter(SETTINGS, clock);
    limiter.throttled();
    limiter.throttled();
    limiter.throttled();
    expect(limiter.rate).toBe(5);
    const { granted } = start(limiter, clock, 3);
    await flush();
    expect(granted).toEqual([]);
    await clock.advance(1_000);
    // 5/s from an empty bucket: 200, 400, 600 ms.
    expect(granted).toEqual([200, 400, 600]);
    // After the cooldown, another throttle halves again, never below minRate.
    await clock.advance(1_000);
    for (let i = 0; i < 10; i++) {
      limiter.throttled();
      await clock.advance(1_000);
    }
    expect(limiter.rate).toBe(1);
  });

  it('speeds up by about increasePerSecond per second while calls wait for it, and not while idle', async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter(SETTINGS, clock);
    // Idle successes (tokens to spare) teach nothing.
    for (let i = 0; i < 50; i++) limiter.succeeded();
    expect(limiter.rate).toBe(10);
    // Saturated for 5 s: every grant is followed by a success.
    let stop = false;
    const loop = async () => {
      while (!stop) {
        await limiter.acquire();
        limiter.succeeded();
      }
    };
    const workers = Array.from({ length: 20 }, loop);
    await clock.advance(5_000);
    stop = true;
    expect(limiter.rate).toBeGreaterThan(10 + 2 * 5 * 0.7);
    expect(limiter.rate).toBeLessThan(10 + 2 * 5 * 1.5);
    await clock.advance(10_000);
    await Promise.all(workers);
  });

  it('ends a wait when its signal aborts (the target deadline), with the signal reason, and serves the others', async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ ...SETTINGS, burst: 1 }, clock);
    await limiter.acquire();
    const deadline = new AbortController();
    const waiting = start(limiter, clock, 2, deadline.signal);
    const other = start(limiter, clock, 1);
    await flush();
    const reason = new Error('Timeout: the target deadline passed');
    deadline.abort(reason);
    await flush();
    expect(waiting.errors).toEqual([reason, reason]);
    await clock.advance(100);
    // The aborted calls gave up their places: the next caller gets the next token.
    expect(other.granted).toEqual([100]);
    await expect(limiter.acquire(deadline.signal)).rejects.toBe(reason);
  });
});

describe('RateLimiters', () => {
  it('gives every client of one account, region and service the same limiter, and others their own', () => {
    const limiters = new RateLimiters(() => SETTINGS);
    expect(limiters.for('111111111111', 'us-east-1', 'eks')).toBe(limiters.for('111111111111', 'us-east-1', 'eks'));
    expect(limiters.for('111111111111', 'us-east-1', 'eks')).not.toBe(limiters.for('111111111111', 'eu-west-1', 'eks'));
    expect(limiters.for('111111111111', 'us-east-1', 'eks')).not.toBe(limiters.for('222222222222', 'us-east-1', 'eks'));
    expect(limiters.for('111111111111', 'us-east-1', 'eks')).not.toBe(limiters.for('111111111111', 'us-east-1', 'ec2'));
    expect(limiters.size).toBe(4);
  });

  it('starts each service from its configured rate, the common one otherwise', () => {
    const settings = rateLimitSettings(
      parseConfig({ aws: { rateLimits: { initialRate: 4, services: { iam: { initialRate: 2, burst: 3 } } } } }).aws
        .rateLimits,
    );
    expect(settings('eks')).toMatchObject({ initialRate: 4, burst: 10 });
    expect(settings('iam')).toMatchObject({ initialRate: 2, burst: 3 });
    // Defaults kept for services not given.
    expect(settings('ec2')).toMatchObject({ initialRate: 20, burst: 100 });
  });

  it('refuses settings that cannot work, naming the field', () => {
    expect(() => parseConfig({ aws: { rateLimits: { initialRate: 0 } } })).toThrow(/aws\.rateLimits\.initialRate/);
    expect(() => parseConfig({ aws: { rateLimits: { decrease: 1.5 } } })).toThrow(/aws\.rateLimits\.decrease/);
    expect(() => parseConfig({ aws: { rateLimits: { services: { s3: { initialRate: 1, burst: 1 } } } } })).toThrow(
      /aws\.rateLimits\.services/,
    );
  });
});
