/**
 * Shared helpers for integration tests that talk to the real services started by `scripts/kafka.sh` and
 * `scripts/redis.sh` (see docs/services.md).
 *
 * Every client or topic created here registers its own cleanup with vitest's `onTestFinished`, so call these
 * helpers from inside a test (not at module level or in `beforeAll`).
 *
 * @example
 *   test('round trip', async () => {
 *     const topic = await createTopic(uniqueName('test'), 3);
 *     const admin = await createTestAdmin();
 *     // ... the topic is deleted and the admin disconnected when the test finishes
 *   });
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, KafkaConfig } from 'kafkajs';
import { onTestFinished } from 'vitest';

/** Broker addresses from `KAFKA_BROKERS` (comma-separated), default `127.0.0.1:9092`. */
export function kafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const brokers = raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (brokers.length === 0)
    throw new Error(`KAFKA_BROKERS is empty ('${raw}'); expected e.g. 127.0.0.1:9092`);
  return brokers;
}

/** Redis URL from `REDIS_URL`, default `redis://127.0.0.1:6379`. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A name no other test uses: `${prefix}-${randomUUID()}` (valid as a Kafka topic or group id). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** A kafkajs client for the test brokers; kafkajs's own logging limited to errors. */
export function createTestKafka(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: uniqueName('test-client'),
    brokers: kafkaBrokers(),
    logLevel: logLevel.ERROR,
    ...config,
  });
}

/** A connected kafkajs admin client, disconnected when the current test finishes. */
export async function createTestAdmin(kafka: Kafka = createTestKafka()): Promise<Admin> {
  const admin = kafka.admin();
  onTestFinished(() => admin.disconnect());
  await admin.connect();
  return admin;
}

/**
 * Creates `name` with `partitions` partitions (replication factor 1), waits until every partition has a leader,
 * and deletes it when the current test finishes. Returns the name.
 */
export async function createTopic(name: string, partitions = 1): Promise<string> {
  // The admin's cleanup is registered first, so it runs after the deletion below (cleanups run in reverse).
  const admin = await createTestAdmin();
  const created = await admin.createTopics({
    topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`topic '${name}' already exists; use uniqueName() for test topics`);
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [name], timeout: 10_000 }).catch(() => {
      // Best effort: a topic left behind only costs disk on a dev broker; never fail a test in cleanup.
    });
  });
  return name;
}
