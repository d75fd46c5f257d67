import { describe, expect, it } from 'vitest';
import { createMemoryEventStore } from '@org/vmware-events-consumer';

const vm = (eventKey: number) => ({
  scope: 'src|vm-1',
  position: { instanceUuid: '11111111-0000-0000-0000-000000000001', eventKey },
});

describe('memory event store', () => {
  it('claims once, reports in-progress while leased, duplicate once completed', async () => {
    const store = createMemoryEventStore();
    expect(await store.begin('e1', 1000)).toEqual({ kind: 'claimed' });
    expect(await store.begin('e1', 1000)).toEqual({ kind: 'in-progress' });
    await store.finish('e1');
    expect(await store.begin('e1', 1000)).toEqual({ kind: 'duplicate' });
  });

  it('lets a released or expired lease be claimed again', async () => {
    let now = 0;
    const store = createMemoryEventStore({ now: () => now });
    expect(await store.begin('e1', 100)).toEqual({ kind: 'claimed' });
    await store.release('e1');
    expect(await store.begin('e1', 100)).toEqual({ kind: 'claimed' });
    now = 150;
    expect(await store.renew('e1', 100)).toBe(false);
    expect(await store.begin('e1', 100)).toEqual({ kind: 'claimed' });
  });

  it('forgets completed ids after the TTL and evicts the least recently used beyond maxEntries', async () => {
    let now = 0;
    const store = createMemoryEventStore({ maxEntries: 2, completedTtlMs: 1000, now: () => now });
    await store.finish('a');
    await store.finish('b');
    expect(await store.begin('a', 10)).toEqual({ kind: 'duplicate' }); // touches a
    await store.finish('c'); // evicts b, the least recently used
    expect(await store.begin('b', 10)).toEqual({ kind: 'claimed' });
    now = 5000;
    expect(await store.begin('c', 10)).toEqual({ kind: 'claimed' });
  });

  it('judges an event against its VM position in begin, and marks a stale one done at once', async () => {
    const store = createMemoryEventStore();
    expect(await store.begin('e10', 1000, vm(10))).toEqual({ kind: 'claimed' });
    await store.finish('e10', vm(10));
    expect(await store.begin('e9', 1000, vm(9))).toEqual({ kind: 'stale', reason: 'older', lastKey: 10 });
    expect(await store.begin('e9', 1000)).toEqual({ kind: 'duplicate' }); // done, no lease left behind
  });

  it('finish never moves a VM backwards when a newer event finished meanwhile', async () => {
    const store = createMemoryEventStore();
    expect(await store.begin('e5', 1000, vm(5))).toEqual({ kind: 'claimed' });
    expect(await store.begin('e6', 1000, vm(6))).toEqual({ kind: 'claimed' });
    await store.finish('e6', vm(6));
    await store.finish('e5', vm(5));
    expect(await store.begin('e6-copy', 1000, vm(6))).toEqual({
      kind: 'stale',
      reason: 'same-key',
      lastKey: 6,
    });
  });
});
