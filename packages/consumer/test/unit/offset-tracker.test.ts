import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../src/internal/offset-tracker.js';
import { backoffDelay } from '../../src/internal/retry.js';

describe('OffsetTracker', () => {
  it('never moves past an unfinished offset when records finish out of order', () => {
    const tracker = new OffsetTracker(['10', '11', '12', '13']);
    expect(tracker.done('12')).toBeUndefined();
    expect(tracker.done('11')).toBeUndefined();
    expect(tracker.firstUnfinished()).toBe('10');
    expect(tracker.done('10')).toBe('12');
    expect(tracker.firstUnfinished()).toBe('13');
    expect(tracker.done('13')).toBe('13');
    expect(tracker.firstUnfinished()).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const policy = { maxAttempts: 10, initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 0.5 };
  it('grows exponentially up to the cap, with jitter taking at most the jitter share', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(policy, 3, () => 1)).toBe(200);
    expect(backoffDelay({ ...policy, jitter: 0 }, 3, () => 0.9)).toBe(400);
  });
});
