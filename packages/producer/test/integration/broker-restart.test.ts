/**
 * Broker restart in the middle of a stream of sends. Uses a dedicated broker (started here, stopped and started by
 * the test, stopped at the end): the shared broker is never restarted. Its port is the shared broker's port plus
 * 10,100 (19192 beside 9092), so two work trees that run the suite on different ports never share it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProducerError } from '../../src/index.js';
import type { PublishResult } from '../../src/index.js';
import { createProducer } from '../../src/index.js';
import { KAFKA_SH, consume, createTopic, execFileAsync, vmEvent } from './helpers.js';

const SHARED_PORT = Number(process.env.KAFKA_PORT ?? 9092);
const PORT = String(SHARED_PORT + 10_100);
const BROKERS = [`127.0.0.1:${PORT}`];
const env = { ...process.env, KAFKA_PORT: PORT, KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m' };
const kafkaSh = (command: 'start' | 'stop' | 'status') => execFileAsync('bash', [KAFKA_SH, command], { env });

/** Starts the dedicated broker unless it runs (kafka.sh start blocks while a broker it started holds its lock). */
async function ensureStarted(): Promise<void> {
  const running = await kafkaSh('status').then(
    () => true,
    () => false,
  );
  if (!running) await kafkaSh('start');
}

beforeAll(async () => {
  await ensureStarted();
}, 180_000);

afterAll(async () => {
  await kafkaSh('stop');
}, 60_000);

describe('broker restart during a stream of publishes', () => {
  it(
    'loses nothing and duplicates nothing (counted by event id on a consumer)',
    { timeout: 240_000 },
    async () => {
      const topic = await createTopic({ partitions: 3, brokers: BROKERS });
      const options = {
        brokers: BROKERS,
        source: 'urn:vmware-events:test',
        topic: { name: topic },
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 10_000,
        retry: { retries: 40, initialRetryTimeMs: 200, maxRetryTimeMs: 3_000 },
      };
      const producer = createProducer(options);
      const tiny = createProducer({
        ...options,
        bufferMemoryBytes: 1024,
        batchSizeBytes: 1024,
        maxBlockMs: 300,
      });
      const impatient = createProducer({
        ...options,
        retry: { retries: 1, initialRetryTimeMs: 100, maxRetryTimeMs: 200 },
      });
      await Promise.all([producer.connect(), tiny.connect(), impatient.connect()]);
      // Warm up: the topic's limits are read (and cached) on the first publish.
      await Promise.all([tiny.publish(vmEvent()), impatient.publish(vmEvent())]);

      // The stream runs until 1000 more events were published after the broker came back, so the restart
      // certainly happens in its middle, with publishes waiting in the buffer and in flight.
      const results: PublishResult[] = [];
      const failures: unknown[] = [];
      let acked = 0;
      let published = 0;
      const restart: { atPublished?: number } = {};
      const stream = (async () => {
        const window = new Set<Promise<void>>();
        while (restart.atPublished === undefined || published < restart.atPublished + 1000) {
          const i = published++;
          const p = producer
            .publish(vmEvent({ vmId: `vm-${i % 97}`, notes: String(i) }))
            .then((r) => void (results.push(r), acked++))
            .catch((e: unknown) => void failures.push(e))
            .finally(() => window.delete(p));
          window.add(p);
          if (window.size >= 64) await Promise.race(window);
        }
        await Promise.all(window);
      })();

      while (acked < 1000) await new Promise((r) => setTimeout(r, 20));
      await kafkaSh('stop');
      const ackedAtStop = acked;

      // While the broker is down: back-pressure and "unavailable after retries" are typed, actionable errors.
      const first = tiny.publish(vmEvent({ notes: 'a'.repeat(300) })).then(
        (r) => r,
        (e: unknown) => e,
      );
      const blocked = await tiny.publish(vmEvent({ notes: 'b'.repeat(600) })).catch((e: unknown) => e);
      expect(isProducerError(blocked, 'PRODUCER_BUFFER_FULL')).toBe(true);
      expect((blocked as Error & { retriable: boolean }).retriable).toBe(true);
      const unavailable = await impatient.publish(vmEvent()).catch((e: unknown) => e);
      expect(isProducerError(unavailable, 'PRODUCER_BROKER_UNAVAILABLE'), String(unavailable)).toBe(true);
      expect((unavailable as Error & { retriable: boolean }).retriable).toBe(true);
      expect((unavailable as Error).message).toContain(BROKERS[0]);

      await kafkaSh('start');
      restart.atPublished = published;
      await stream;
      const total = published;
      expect(ackedAtStop).toBeLessThan(restart.atPublished);
      expect(isProducerError(await first)).toBe(false);
      // The producer whose send failed replaced its idempotent producer (new producer id) and works again.
      const recovered = await impatient.publish(vmEvent());
      expect(recovered.offset).not.toBe('-1');
      await Promise.all([producer.disconnect(), tiny.disconnect(), impatient.disconnect()]);

      expect(failures).toEqual([]);
      expect(results).toHaveLength(total);
      const records = await consume(topic, total + 4, { brokers: BROKERS, timeoutMs: 60_000 });
      const perEvent = new Map<string, number>();
      for (const r of records) perEvent.set(r.headers.eventId!, (perEvent.get(r.headers.eventId!) ?? 0) + 1);
      const streamIds = new Set(results.map((r) => r.eventId));
      const duplicates = [...perEvent].filter(([, n]) => n > 1);
      expect(duplicates).toEqual([]);
      expect([...streamIds].filter((id) => !perEvent.has(id))).toEqual([]);
      // The stream's records, two warm-up records, the one record of the tiny producer that got into its buffer and
      // the impatient producer's record after its recovery.
      expect(records.length).toBe(total + 4);
    },
  );
});
