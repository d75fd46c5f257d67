import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  advanceSequence,
  createRedisEventStore,
  createTestPipeline,
  judgeSequence,
  serializeSequenceState,
} from '@org/vmware-events-consumer';
import type { RedisClientLike, SequencePosition, SequenceState } from '@org/vmware-events-consumer';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { makeEvent } from '../events.js';
import { brokers, createEventProducer, createTopic, randomUUID, redisUrl, waitFor } from './helpers.js';

function redisClient(): Redis {
  const client = new Redis(redisUrl);
  onTestFinished(() => client.quit().then(() => undefined));
  return client;
}

describe('Redis event store (real redis-server)', () => {
  it('two instances never hold the same event at once; completion is seen by both', async () => {
    const prefix = `test-${randomUUID()}:`;
    const a = await createRedisEventStore({ client: redisClient() }, { prefix });
    const b = await createRedisEventStore({ url: redisUrl }, { prefix });
    onTestFinished(() => b.close());
    expect(await a.begin('e1', 5000)).toEqual({ kind: 'claimed' });
    expect(await b.begin('e1', 5000)).toEqual({ kind: 'in-progress' });
    expect(await b.renew('e1', 5000)).toBe(false); // not b's lease
    await b.release('e1'); // not b's lease: no effect
    expect(await b.begin('e1', 5000)).toEqual({ kind: 'in-progress' });
    expect(await a.renew('e1', 5000)).toBe(true);
    await a.finish('e1');
    expect(await a.begin('e1', 5000)).toEqual({ kind: 'duplicate' });
    expect(await b.begin('e1', 5000)).toEqual({ kind: 'duplicate' });
  });

  it('a lease left by a crashed instance expires and can be claimed', async () => {
    const prefix = `test-${randomUUID()}:`;
    const a = await createRedisEventStore({ client: redisClient() }, { prefix });
    const b = await createRedisEventStore({ client: redisClient() }, { prefix });
    expect(await a.begin('e2', 100)).toEqual({ kind: 'claimed' });
    await waitFor('lease expiry', async () => (await b.begin('e2', 5000)).kind === 'claimed', 5000);
    await b.release('e2');
    expect(await a.begin('e2', 5000)).toEqual({ kind: 'claimed' });
  });

  it('the compare-and-set of a VM position (Redis Cluster path) never overwrites a concurrent change', async () => {
    // A Cluster client makes every step one script per key: the position is written by compare-and-set.
    const cluster = (): RedisClientLike => Object.assign(redisClient(), { isCluster: true });
    const { prefix, position } = await storePair();
    const a = await createRedisEventStore({ client: cluster() }, { prefix });
    const b = await createRedisEventStore({ client: cluster() }, { prefix });
    const at = (eventKey: number) => ({ scope: 'src|vm-1', position: { instanceUuid: 'u', eventKey } });
    for (let round = 0; round < 20; round += 1) {
      const [older, newer] = [at(2 * round + 1), at(2 * round + 2)];
      expect(await a.begin(`a-${round}`, 5000, older)).toEqual({ kind: 'claimed' });
      expect(await b.begin(`b-${round}`, 5000, newer)).toEqual({ kind: 'claimed' });
      await Promise.all([a.finish(`a-${round}`, older), b.finish(`b-${round}`, newer)]);
      expect(await position('src|vm-1')).toEqual({ instanceUuid: 'u', eventKey: 2 * round + 2, retired: [] });
    }
  });
});

/** A Redis event store on one client with a fresh key prefix, a reader of its VM positions, and a writer. */
async function storePair(client: RedisClientLike = redisClient()) {
  const id = `test-${randomUUID()}`;
  const store = await createRedisEventStore({ client }, { prefix: `${id}:` });
  const seqKey = (scope: string) => `${id}:seq:${scope}`;
  const reader = redisClient();
  const position = async (scope: string): Promise<SequenceState | undefined> => {
    const raw = await reader.get(seqKey(scope));
    return raw === null ? undefined : (JSON.parse(raw) as SequenceState);
  };
  /** Writes a VM's position as the store writes it. */
  const seed = (scope: string, state: SequenceState) =>
    reader.set(seqKey(scope), serializeSequenceState(state));
  return { store, fused: store, prefix: `${id}:`, seqKey, position, seed };
}

const U1 = '11111111-0000-0000-0000-000000000001';
const U2 = '22222222-0000-0000-0000-000000000002';
const MAX = 2 ** 31 - 1;
const MIN = -(2 ** 31);

describe('Redis steps (claim + stale check, advance + complete: one Lua script each)', () => {
  it('begin answers claimed, in-progress, duplicate and stale across two instances', async () => {
    const client = redisClient();
    const id = `test-${randomUUID()}`;
    const storesOf = async () => {
      const fused = await createRedisEventStore({ client }, { prefix: `${id}:` });
      return { dedup: fused, fused };
    };
    const one = await storesOf();
    const two = await storesOf(); // another instance: its own owner token, same keys
    const vm = { scope: 'src|vm-1', position: { instanceUuid: U1, eventKey: 10 } };
    expect(await one.fused.begin('e1', 5000, vm)).toEqual({ kind: 'claimed' });
    expect(await two.fused.begin('e1', 5000, vm)).toEqual({ kind: 'in-progress' });
    expect(await two.dedup.renew('e1', 5000)).toBe(false); // not two's lease
    await one.fused.finish('e1', vm);
    expect(await two.fused.begin('e1', 5000, vm)).toEqual({ kind: 'duplicate' });
    const late = { scope: 'src|vm-1', position: { instanceUuid: U1, eventKey: 9 } };
    expect(await two.fused.begin('e0', 5000, late)).toEqual({ kind: 'stale', reason: 'older', lastKey: 10 });
    // a stale event is marked done in the same step: no lease is left behind
    expect(await one.dedup.begin('e0', 5000)).toEqual({ kind: 'duplicate' });
    const again = { scope: 'src|vm-1', position: { instanceUuid: U1, eventKey: 10 } };
    expect(await one.fused.begin('e1-copy', 5000, again)).toEqual({
      kind: 'stale',
      reason: 'same-key',
      lastKey: 10,
    });
  });

  it('finish never moves a VM backwards when a newer event finished meanwhile', async () => {
    const { fused, position } = await storePair();
    const older = { scope: 'src|vm-2', position: { instanceUuid: U1, eventKey: 5 } };
    const newer = { scope: 'src|vm-2', position: { instanceUuid: U1, eventKey: 6 } };
    expect(await fused.begin('e5', 5000, older)).toEqual({ kind: 'claimed' });
    expect(await fused.begin('e6', 5000, newer)).toEqual({ kind: 'claimed' });
    await fused.finish('e6', newer);
    await fused.finish('e5', older);
    expect(await position('src|vm-2')).toEqual({ instanceUuid: U1, eventKey: 6, retired: [] });
    expect(await fused.begin('e5', 5000)).toEqual({ kind: 'duplicate' });
    expect(await fused.begin('e6', 5000)).toEqual({ kind: 'duplicate' });
  });

  it('the Lua stale check agrees with judgeSequence/advanceSequence, byte for byte', async () => {
    const client = redisClient();
    const { fused, seed, seqKey } = await storePair(client);
    const odd = 'q"uo\\te/sl\u0001\n\t\u001f-é-\u2603';
    const retired8 = Array.from({ length: 8 }, (_, i) => `r-${i}`);
    const states: Array<SequenceState | undefined> = [
      undefined,
      { instanceUuid: U1, eventKey: 100, retired: [] },
      { instanceUuid: U1, eventKey: MAX, retired: [] },
      { instanceUuid: U1, eventKey: 0, retired: [U2] },
      { instanceUuid: U1, eventKey: 2 ** 30, retired: [] },
      { instanceUuid: U1, eventKey: MIN, retired: [] },
      { instanceUuid: U1, eventKey: -1, retired: [U2] },
      { instanceUuid: U2, eventKey: 7, retired: retired8 },
      { instanceUuid: odd, eventKey: 3, retired: [U1, odd + 'x'] },
      { instanceUuid: '', eventKey: 50, retired: [] },
    ];
    const positions = (state: SequenceState | undefined): SequencePosition[] => {
      const base = state?.eventKey ?? 0;
      const keys = [
        base,
        base + 1,
        base - 1,
        0,
        1,
        MAX,
        2 ** 30,
        2 ** 30 + 1,
        base + 2 ** 30,
        base - 2 ** 30,
        MIN,
        MIN + 1,
        -1,
        base + 2 ** 31,
        base - 2 ** 31,
        base + 2 ** 31 - 1,
        base + 2 ** 31 + 1,
      ];
      const uuids = [state?.instanceUuid ?? U1, U1, U2, odd, odd + 'x', 'r-3', ''];
      return uuids.flatMap((instanceUuid) =>
        keys.filter((k) => k >= MIN && k <= MAX).map((eventKey) => ({ instanceUuid, eventKey })),
      );
    };
    let cases = 0;
    for (const [i, state] of states.entries()) {
      for (const [j, position] of positions(state).entries()) {
        const scope = `src|vm-${i}-${j}`;
        if (state) await seed(scope, state);
        const expected = judgeSequence(state, position);
        const eventId = `e-${i}-${j}`;
        const begun = await fused.begin(eventId, 5000, { scope, position });
        const label = JSON.stringify({ state, position });
        if (expected.stale) {
          expect(begun, label).toEqual({ kind: 'stale', reason: expected.reason, lastKey: expected.lastKey });
        } else {
          expect(begun, label).toEqual({ kind: 'claimed' });
          await fused.finish(eventId, { scope, position });
          expect(await client.eval("return redis.call('GET', KEYS[1])", 1, seqKey(scope)), label).toBe(
            serializeSequenceState(advanceSequence(state, position)),
          );
        }
        cases += 1;
      }
    }
    expect(cases).toBeGreaterThan(300);
  });

  it('keys the Lua numbers would not compare exactly (custom decoder) take the separate steps, same rules', async () => {
    const client = redisClient();
    const { fused, seqKey } = await storePair(client);
    const big = { scope: 'src|vm-big', position: { instanceUuid: U1, eventKey: 2 ** 40 } };
    expect(await fused.begin('b1', 5000, big)).toEqual({ kind: 'claimed' });
    await fused.finish('b1', big);
    expect(await client.eval("return redis.call('GET', KEYS[1])", 1, seqKey('src|vm-big'))).toBe(
      serializeSequenceState({ ...big.position, retired: [] }),
    );
    expect(await fused.begin('b1', 5000)).toEqual({ kind: 'duplicate' });
    const older = { scope: 'src|vm-big', position: { instanceUuid: U1, eventKey: 2 ** 40 - 1 } };
    expect(judgeSequence({ ...big.position, retired: [] }, older.position)).toMatchObject({ stale: true });
    expect(await fused.begin('b0', 5000, older)).toEqual({
      kind: 'stale',
      reason: 'older',
      lastKey: 2 ** 40,
    });
    expect(await fused.begin('b0', 5000)).toEqual({ kind: 'duplicate' });
  });

  it('a processed event costs two Redis calls, a stale or duplicate one costs one', async () => {
    const redis = redisClient();
    let calls = 0;
    const counting: RedisClientLike = {
      eval: (...args) => ((calls += 1), redis.eval(...args)),
      evalsha: (...args) => ((calls += 1), redis.evalsha(...args)),
      quit: () => Promise.resolve('OK'),
    };
    const { store } = await storePair(counting);
    const handled: number[] = [];
    const pipeline = createTestPipeline({
      handler: ({ event }) => void handled.push(event.operationInfo.vcenter!.eventKey),
      store,
    });
    // warm the server's script cache, so EVALSHA's first-use fallback to EVAL is not counted
    await pipeline.deliver({ event: makeEvent({ eventKey: 1, vmId: 'warm-up' }) });
    calls = 0;
    const event = makeEvent({ eventKey: 10 });
    expect(await pipeline.deliver({ event })).toMatchObject({ kind: 'processed' });
    expect(calls).toBe(2);
    calls = 0;
    expect(await pipeline.deliver({ event: makeEvent({ eventKey: 9 }) })).toMatchObject({
      kind: 'stale',
      lastKey: 10,
    });
    expect(calls).toBe(1);
    calls = 0;
    expect(await pipeline.deliver({ event })).toMatchObject({ kind: 'duplicate' });
    expect(calls).toBe(1);
    expect(handled).toEqual([1, 10]);
  });
});

describe('killed mid-stream and restarted (Redis stores)', () => {
  it('loses nothing and handles nothing twice', async () => {
    const { topic } = await createTopic(3);
    const producer = await createEventProducer();
    const VMS = 8;
    const PER_VM = 50;
    const events: VmOperationEvent[] = [];
    for (let key = 0; key < PER_VM; key += 1) {
      for (let vm = 0; vm < VMS; vm += 1)
        events.push(makeEvent({ vmId: `vm-${vm}`, eventKey: key }) as VmOperationEvent);
    }
    await producer.publishBatch(events, { topic });
    const runId = `test-${randomUUID()}`;
    const redis = redisClient();
    const fixture = fileURLToPath(new URL('./fixtures/kill-consumer.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const env = {
      ...process.env,
      RUN_ID: runId,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: brokers.join(','),
      GROUP_ID: runId,
      TOPIC: topic,
    };
    const start = () => {
      const child = spawn(`${root}node_modules/.bin/tsx`, [fixture], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      onTestFinished(() => void child.kill('SIGKILL'));
      return { child, stderr: () => stderr };
    };
    const handledCount = async () => Number(await redis.hlen(`${runId}:handled`));

    const first = start();
    await waitFor('first process handled some events', async () => (await handledCount()) >= 80, 30_000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const before = await handledCount();
    expect(before).toBeLessThan(events.length); // it really died mid-stream

    const second = start();
    await waitFor(
      `all ${events.length} events handled (stderr: ${second.stderr()})`,
      async () => (await handledCount()) === events.length,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000)); // give a wrong second handling a chance to show
    const counts = Object.values(await redis.hgetall(`${runId}:handled`)).map(Number);
    expect(counts).toHaveLength(events.length);
    expect(counts.every((count) => count === 1)).toBe(true);
    for (let vm = 0; vm < VMS; vm += 1) {
      const order = (await redis.lrange(`${runId}:vm:vm-${vm}`, 0, -1)).map(Number);
      expect(order, `vm-${vm}`).toEqual(Array.from({ length: PER_VM }, (_, i) => i));
    }
  }, 120_000);
});
