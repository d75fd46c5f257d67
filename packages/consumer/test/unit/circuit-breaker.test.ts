import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '@org/vmware-events-consumer';

describe('CircuitBreaker', () => {
  it('opens at the failure threshold, lets one probe through after openMs, closes on success', () => {
    let now = 0;
    const states: string[] = [];
    const breaker = new CircuitBreaker({
      failureRateThreshold: 0.5,
      windowSize: 4,
      minimumCalls: 4,
      openMs: 1000,
      now: () => now,
    });
    breaker.onStateChange((state) => states.push(state));
    for (const ok of [true, false, true]) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.record(ok);
    }
    expect(breaker.state).toBe('closed');
    breaker.record(false); // 2 failures of 4 = 50 %
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    now = 1000;
    expect(breaker.tryAcquire()).toBe(true); // the probe
    expect(breaker.tryAcquire()).toBe(false); // only one probe at a time
    breaker.record(true);
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the probe fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ windowSize: 2, minimumCalls: 2, openMs: 10, now: () => now });
    breaker.record(false);
    breaker.record(false);
    expect(breaker.state).toBe('open');
    now = 10;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record(false);
    expect(breaker.state).toBe('open');
    expect(breaker.remainingOpenMs()).toBe(10);
  });
});
