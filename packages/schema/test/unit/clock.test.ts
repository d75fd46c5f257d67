import { afterEach, describe, expect, it, vi } from 'vitest';
import { IsoClock } from '../../src/internal/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('IsoClock', () => {
  it('gives Date#toISOString of the current millisecond, formatted again when the millisecond changes', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 23, 59, 59, 998) });
    const clock = new IsoClock();
    const first = clock.now();
    expect(first).toBe('2026-11-29T23:59:59.998Z');
    expect(clock.now()).toBe(first);
    vi.advanceTimersByTime(1);
    expect(clock.now()).toBe('2026-11-29T23:59:59.999Z');
    vi.advanceTimersByTime(1);
    expect(clock.now()).toBe('2026-11-30T00:00:00.000Z');
    vi.setSystemTime(Date.UTC(2025, 0, 19, 11, 0, 0, 0)); // the clock may go back (NTP): still the current time
    expect(clock.now()).toBe('2025-01-19T11:00:00.000Z');
  });
});
