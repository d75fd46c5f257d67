import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRedisDedupStore, createRedisSequenceStore } from '@org/vmware-events-consumer';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { makeEvent } from '../events.js';
import { brokers, createEventProducer, createTopic, randomUUID, redisUrl, waitFor } from './helpers.js';

function redisClient(): Redis {
  const client = new Redis(redisUrl);
  onTestFinished(() => client.quit().then(() => undefined));
  return client;
}

describe('Redis stores (real redis-server)', () => {
  it('two instances never hold the same event at once; completion is seen by both', async () => {
    const prefix = `test-${randomUUID()}:`;
    const a = await createRedisDedupStore({ client: redisClient() }, { prefix });
    const b = await createRedisDedupStore({ url: redisUrl }, { prefix });
    onTestFinished(() => b.close());
    expect(await a.claim('e1', 5000)).toBe('claimed');
    expect(await b.claim('e1', 5000)).toBe('in-progress');
    expect(await b.renew('e1', 5000)).toBe(false); // not b's lease
    await b.release('e1'); // not b's lease: no effect
    expect(await b.claim('e1', 5000)).toBe('in-progress');
    expect(await a.renew('e1', 5000)).toBe(true);
    await a.complete('e1');
    expect(await a.claim('e1', 5000)).toBe('duplicate');
    expect(await b.claim('e1', 5000)).toBe('duplicate');
  });

  it('a lease left by a crashed instance expires and can be claimed', async () => {
    const prefix = `test-${randomUUID()}:`;
    const a = await createRedisDedupStore({ client: redisClient() }, { prefix });
    const b = await createRedisDedupStore({ client: redisClient() }, { prefix });
    expect(await a.claim('e2', 100)).toBe('claimed');
    await waitFor('lease expiry', async () => (await b.claim('e2', 5000)) === 'claimed', 5000);
    await b.release('e2');
    expect(await a.claim('e2', 5000)).toBe('claimed');
  });

  it('sequence store compare-and-set never overwrites a concurrent change', async () => {
    const store = await createRedisSequenceStore(
      { client: redisClient() },
      { prefix: `test-${randomUUID()}:` },
    );
    const first = { instanceUuid: 'u', eventKey: 1, retired: [] };
    expect(await store.compareAndSet('src|vm-1', undefined, first)).toBe(true);
    expect(await store.compareAndSet('src|vm-1', undefined, { ...first, eventKey: 5 })).toBe(false);
    expect(await store.compareAndSet('src|vm-1', first, { ...first, eventKey: 2 })).toBe(true);
    expect(await store.get('src|vm-1')).toEqual({ instanceUuid: 'u', eventKey: 2, retired: [] });
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
