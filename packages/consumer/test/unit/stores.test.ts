import { describe, expect, it } from 'vitest';
import { createMemoryDedupStore } from '@org/vmware-events-consumer';

describe('memory dedup store', () => {
  it('claims once, reports in-progress while leased, duplicate once completed', async () => {
    const store = createMemoryDedupStore();
    expect(await store.claim('e1', 1000)).toBe('claimed');
    expect(await store.claim('e1', 1000)).toBe('in-progress');
    await store.complete('e1');
    expect(await store.claim('e1', 1000)).toBe('duplicate');
  });

  it('lets a released or expired lease be claimed again', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ now: () => now });
    expect(await store.claim('e1', 100)).toBe('claimed');
    await store.release('e1');
    expect(await store.claim('e1', 100)).toBe('claimed');
    now = 150;
    expect(await store.renew('e1', 100)).toBe(false);
    expect(await store.claim('e1', 100)).toBe('claimed');
  });

  it('forgets completed ids after the TTL and evicts the least recently used beyond maxEntries', async () => {
    let now = 0;
    const store = createMemoryDedupStore({ maxEntries: 2, completedTtlMs: 1000, now: () => now });
    await store.complete('a');
    await store.complete('b');
    expect(await store.claim('a', 10)).toBe('duplicate'); // touches a
    await store.complete('c'); // evicts b, the least recently used
    expect(await store.claim('b', 10)).toBe('claimed');
    now = 5000;
    expect(await store.claim('c', 10)).toBe('claimed');
  });
});
