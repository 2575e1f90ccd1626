import { describe, expect, it } from 'vitest';
import { backoffDelay } from './clients.ts';

describe('backoffDelay', () => {
  it('grows exponentially from the base, with jitter between half and all of the ceiling', () => {
    expect(backoffDelay(100, 1, () => 0)).toBe(100);
    expect(backoffDelay(100, 1, () => 1)).toBe(200);
    expect(backoffDelay(100, 3, () => 1)).toBe(800);
  });

  it('never waits longer than 20 seconds', () => {
    expect(backoffDelay(1000, 30, () => 1)).toBe(20_000);
  });
});
