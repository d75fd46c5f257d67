import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createMemoryEventStore,
  createRedisEventStore,
  createTestPipeline,
  isConsumerError,
} from '@org/vmware-events-consumer';
import type { EventStore, RedisClientLike, SequencedEvent } from '@org/vmware-events-consumer';
import { makeEvent } from '../events.js';

/**
 * The memory event store, recording every store call the pipeline makes (with whether it carried the event's VM
 * position), and optionally answering `in-progress` to the first begins.
 */
function recordingStore(options: { inProgressTimes?: number } = {}) {
  const calls: string[] = [];
  const positions: Array<SequencedEvent | undefined> = [];
  const memory = createMemoryEventStore();
  let inProgress = options.inProgressTimes ?? 0;
  const store: EventStore = {
    begin(eventId, leaseMs, sequence) {
      calls.push('begin');
      positions.push(sequence);
      if (inProgress > 0) {
        inProgress -= 1;
        return Promise.resolve({ kind: 'in-progress' });
      }
      return memory.begin(eventId, leaseMs, sequence);
    },
    finish: (id, sequence) => (calls.push('finish'), positions.push(sequence), memory.finish(id, sequence)),
    renew: (id, ms) => (calls.push('renew'), memory.renew(id, ms)),
    release: (id) => (calls.push('release'), memory.release(id)),
    close: () => memory.close(),
  };
  return { calls, positions, store, memory };
}

describe('pipeline and the store protocol (begin, renew, finish, release)', () => {
  it('makes one begin and one finish per processed event instead of claim, get, compare-and-set and complete', async () => {
    const { calls, store } = recordingStore();
    const pipeline = createTestPipeline({ handler: () => undefined, store });
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) })).toMatchObject({
      kind: 'processed',
    });
    expect(calls).toEqual(['begin', 'finish']);
  });

  it('reports a stale verdict of begin without running the handler or completing again', async () => {
    const { calls, store, memory } = recordingStore();
    let handled = 0;
    const pipeline = createTestPipeline({ handler: () => void (handled += 1), store });
    await pipeline.deliver({ event: makeEvent({ eventKey: 12 }) });
    calls.length = 0;
    const late = makeEvent({ eventKey: 11 });
    expect(await pipeline.deliver({ event: late })).toMatchObject({
      kind: 'stale',
      eventId: late.eventId,
      scope: 'https://vc01.example.com/sdk|vm-42',
      eventKey: 11,
      lastKey: 12,
    });
    expect(calls).toEqual(['begin']);
    expect(handled).toBe(1);
    expect(await memory.begin(late.eventId, 1000)).toEqual({ kind: 'duplicate' }); // marked done, no lease left
  });

  it('reports a duplicate from begin', async () => {
    const { calls, store } = recordingStore();
    const pipeline = createTestPipeline({ handler: () => undefined, store });
    const event = makeEvent({ eventKey: 3 });
    await pipeline.deliver({ event });
    calls.length = 0;
    expect(await pipeline.deliver({ event })).toEqual({ kind: 'duplicate', eventId: event.eventId });
    expect(calls).toEqual(['begin']);
  });

  it('waits while begin says another instance holds the event, then runs it', async () => {
    const { calls, store } = recordingStore({ inProgressTimes: 2 });
    const pipeline = createTestPipeline({ handler: () => undefined, store });
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) })).toMatchObject({
      kind: 'processed',
    });
    expect(calls).toEqual(['begin', 'begin', 'begin', 'finish']);
  }, 10_000);

  it('never calls finish when the handler fails for good: the lease is released for a replay', async () => {
    const { calls, store } = recordingStore();
    const pipeline = createTestPipeline({
      handler: () => {
        throw new Error('down');
      },
      retry: { maxAttempts: 2 },
      store,
    });
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) })).toMatchObject({
      kind: 'dead-lettered',
      reason: 'RETRIES_EXHAUSTED',
    });
    expect(calls).toEqual(['begin', 'renew', 'release']);
  });

  it('gives begin and finish no VM position for events without vCenter information', async () => {
    const { calls, positions, store } = recordingStore();
    const pipeline = createTestPipeline({ handler: () => undefined, store });
    await pipeline.deliver({ event: makeEvent() });
    expect(calls).toEqual(['begin', 'finish']);
    expect(positions).toEqual([undefined, undefined]);
  });

  it('gives begin and finish no VM position when the stale check is off', async () => {
    const { positions, store } = recordingStore();
    const pipeline = createTestPipeline({ handler: () => undefined, store, staleCheck: false });
    await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) });
    expect(positions).toEqual([undefined, undefined]);
  });
});

/**
 * A client that records the keys of every script it is sent and answers like an empty Redis: a claim is claimed,
 * a compare-and-set writes, a read finds nothing.
 */
function keyRecordingClient(options: { isCluster?: boolean } = {}) {
  const keySets: string[][] = [];
  const client: RedisClientLike & { isCluster?: boolean } = {
    eval: (script, numKeys, ...rest) => {
      keySets.push(rest.slice(0, numKeys).map(String));
      if (script.includes("'NX'")) return Promise.resolve(['claimed']);
      return Promise.resolve(script.includes("(v or '') ~= ARGV[1]") ? 1 : null);
    },
    quit: () => Promise.resolve('OK'),
    ...(options.isCluster ? { isCluster: true } : {}),
  };
  return { client, keySets };
}

describe('Redis event store: one script per step, or per key on a Redis Cluster', () => {
  const vm: SequencedEvent = { scope: 'src|vm-1', position: { instanceUuid: 'u', eventKey: 1 } };

  it("claims and judges in one script that names the event's and the VM's keys", async () => {
    const { client, keySets } = keyRecordingClient();
    const store = await createRedisEventStore({ client }, { prefix: 'p:' });
    await store.begin('e1', 1000, vm);
    expect(keySets).toEqual([['p:dedup:e1', 'p:seq:src|vm-1']]);
  });

  it('on a Redis Cluster client, never names two keys in one script (they may live on different nodes)', async () => {
    const { client, keySets } = keyRecordingClient({ isCluster: true });
    const store = await createRedisEventStore({ client }, { prefix: 'p:' });
    await store.begin('e1', 1000, vm);
    await store.finish('e1', vm);
    expect(keySets.length).toBeGreaterThan(2);
    expect(keySets.every((keys) => keys.length === 1)).toBe(true);
  });
});

describe('Redis stores: script calls', () => {
  it('send the SHA1 with EVALSHA and fall back to EVAL once when the server answers NOSCRIPT', async () => {
    const sent: string[] = [];
    const known = new Set<string>();
    const client: RedisClientLike = {
      evalsha(sha1) {
        sent.push('evalsha');
        return known.has(sha1)
          ? Promise.resolve(['claimed'])
          : Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      },
      eval(script) {
        sent.push('eval');
        known.add(createHashOf(script));
        return Promise.resolve(['claimed']);
      },
      quit: () => Promise.resolve('OK'),
    };
    const store = await createRedisEventStore({ client });
    expect(await store.begin('e1', 1000)).toEqual({ kind: 'claimed' });
    expect(await store.begin('e2', 1000)).toEqual({ kind: 'claimed' });
    expect(sent).toEqual(['evalsha', 'eval', 'evalsha']);
  });

  it('turn a Redis failure into a retriable CONSUMER_STORE_UNAVAILABLE without trying EVAL again', async () => {
    const sent: string[] = [];
    const client: RedisClientLike = {
      evalsha: () => (sent.push('evalsha'), Promise.reject(new Error('Connection is closed.'))),
      eval: () => (sent.push('eval'), Promise.resolve(['claimed'])),
      quit: () => Promise.resolve('OK'),
    };
    const store = await createRedisEventStore({ client });
    const error: unknown = await store.begin('e1', 1000).catch((e: unknown) => e);
    expect(isConsumerError(error) && error.code).toBe('CONSUMER_STORE_UNAVAILABLE');
    expect(isConsumerError(error) && error.retriable).toBe(true);
    expect(sent).toEqual(['evalsha']);
  });
});

function createHashOf(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
