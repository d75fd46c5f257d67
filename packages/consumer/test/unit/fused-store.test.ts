import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  advanceSequence,
  createMemoryDedupStore,
  createMemorySequenceStore,
  createRedisDedupStore,
  createRedisSequenceStore,
  createTestPipeline,
  isConsumerError,
  judgeSequence,
} from '@org/vmware-events-consumer';
import type {
  BeginResult,
  DedupStore,
  FusedEventStore,
  RedisClientLike,
  SequenceStore,
} from '@org/vmware-events-consumer';
import { makeEvent } from '../events.js';

/**
 * A dedup store that offers fused steps, built from the memory stores with the TypeScript rules (the
 * reference the Redis scripts follow), recording every store call the pipeline makes.
 */
function fusedStores(options: { inProgressTimes?: number } = {}) {
  const calls: string[] = [];
  const memory = createMemoryDedupStore();
  const states = createMemorySequenceStore();
  let inProgress = options.inProgressTimes ?? 0;
  const sequences: SequenceStore = {
    get: (scope) => (calls.push('get'), states.get(scope)),
    compareAndSet: (scope, expected, next) => (
      calls.push('compareAndSet'),
      states.compareAndSet(scope, expected, next)
    ),
    close: () => states.close(),
  };
  const fused: FusedEventStore = {
    async begin(eventId, leaseMs, { scope, position }): Promise<BeginResult> {
      calls.push('begin');
      if (inProgress > 0) {
        inProgress -= 1;
        return { kind: 'in-progress' };
      }
      const claim = await memory.claim(eventId, leaseMs);
      if (claim !== 'claimed') return { kind: claim };
      const verdict = judgeSequence(await states.get(scope), position);
      if (!verdict.stale) return { kind: 'claimed' };
      await memory.complete(eventId);
      return { kind: 'stale', reason: verdict.reason, lastKey: verdict.lastKey };
    },
    async finish(eventId, { scope, position }) {
      calls.push('finish');
      const state = await states.get(scope);
      const next = advanceSequence(state, position);
      if (next !== state) await states.compareAndSet(scope, state, next);
      await memory.complete(eventId);
    },
  };
  const dedup: DedupStore = {
    claim: (id, ms) => (calls.push('claim'), memory.claim(id, ms)),
    renew: (id, ms) => (calls.push('renew'), memory.renew(id, ms)),
    complete: (id) => (calls.push('complete'), memory.complete(id)),
    release: (id) => (calls.push('release'), memory.release(id)),
    close: () => memory.close(),
    fuseWith: (store) => (store === sequences ? fused : undefined),
  };
  return { calls, dedup, sequences, memory };
}

describe('pipeline with a store that fuses the dedup and stale steps', () => {
  it('makes one begin and one finish per processed event instead of claim, get, compare-and-set and complete', async () => {
    const { calls, dedup, sequences } = fusedStores();
    const pipeline = createTestPipeline({ handler: () => undefined, dedup, sequences });
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) })).toMatchObject({
      kind: 'processed',
    });
    expect(calls).toEqual(['begin', 'finish']);
  });

  it('reports a stale verdict of begin without running the handler or completing again', async () => {
    const { calls, dedup, sequences, memory } = fusedStores();
    let handled = 0;
    const pipeline = createTestPipeline({ handler: () => void (handled += 1), dedup, sequences });
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
    expect(await memory.claim(late.eventId, 1000)).toBe('duplicate'); // marked done, no lease left
  });

  it('reports a duplicate from begin', async () => {
    const { calls, dedup, sequences } = fusedStores();
    const pipeline = createTestPipeline({ handler: () => undefined, dedup, sequences });
    const event = makeEvent({ eventKey: 3 });
    await pipeline.deliver({ event });
    calls.length = 0;
    expect(await pipeline.deliver({ event })).toEqual({ kind: 'duplicate', eventId: event.eventId });
    expect(calls).toEqual(['begin']);
  });

  it('waits while begin says another instance holds the event, then runs it', async () => {
    const { calls, dedup, sequences } = fusedStores({ inProgressTimes: 2 });
    const pipeline = createTestPipeline({ handler: () => undefined, dedup, sequences });
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) })).toMatchObject({
      kind: 'processed',
    });
    expect(calls).toEqual(['begin', 'begin', 'begin', 'finish']);
  }, 10_000);

  it('never calls finish when the handler fails for good: the lease is released for a replay', async () => {
    const { calls, dedup, sequences } = fusedStores();
    const pipeline = createTestPipeline({
      handler: () => {
        throw new Error('down');
      },
      retry: { maxAttempts: 2 },
      dedup,
      sequences,
    });
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 1 }) })).toMatchObject({
      kind: 'dead-lettered',
      reason: 'RETRIES_EXHAUSTED',
    });
    expect(calls).toEqual(['begin', 'renew', 'release']);
  });

  it('uses the separate steps for events without vCenter information', async () => {
    const { calls, dedup, sequences } = fusedStores();
    const pipeline = createTestPipeline({ handler: () => undefined, dedup, sequences });
    await pipeline.deliver({ event: makeEvent() });
    expect(calls).toEqual(['claim', 'complete']);
  });
});

/** A client that answers nothing (fusion is decided without talking to Redis). */
function idleClient(): RedisClientLike {
  return { eval: () => Promise.resolve(null), quit: () => Promise.resolve('OK') };
}

describe('Redis stores: when they fuse', () => {
  it('fuse a dedup and a sequence store on the same client or the same URL, nothing else', async () => {
    const client = idleClient();
    const dedup = await createRedisDedupStore({ client });
    expect(dedup.fuseWith(await createRedisSequenceStore({ client }))).toBeDefined();
    expect(dedup.fuseWith(await createRedisSequenceStore({ client: idleClient() }))).toBeUndefined();
    expect(dedup.fuseWith(createMemorySequenceStore())).toBeUndefined();
    const cluster = Object.assign(idleClient(), { isCluster: true });
    const clusterDedup = await createRedisDedupStore({ client: cluster });
    expect(clusterDedup.fuseWith(await createRedisSequenceStore({ client: cluster }))).toBeUndefined();
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
    const dedup = await createRedisDedupStore({ client });
    expect(await dedup.claim('e1', 1000)).toBe('claimed');
    expect(await dedup.claim('e2', 1000)).toBe('claimed');
    expect(sent).toEqual(['evalsha', 'eval', 'evalsha']);
  });

  it('turn a Redis failure into a retriable CONSUMER_STORE_UNAVAILABLE without trying EVAL again', async () => {
    const sent: string[] = [];
    const client: RedisClientLike = {
      evalsha: () => (sent.push('evalsha'), Promise.reject(new Error('Connection is closed.'))),
      eval: () => (sent.push('eval'), Promise.resolve(['claimed'])),
      quit: () => Promise.resolve('OK'),
    };
    const dedup = await createRedisDedupStore({ client });
    const error: unknown = await dedup.claim('e1', 1000).catch((e: unknown) => e);
    expect(isConsumerError(error) && error.code).toBe('CONSUMER_STORE_UNAVAILABLE');
    expect(isConsumerError(error) && error.retriable).toBe(true);
    expect(sent).toEqual(['evalsha']);
  });
});

function createHashOf(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
