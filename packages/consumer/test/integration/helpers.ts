import { randomUUID } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { createProducer } from '@org/vmware-events-producer';
import { createConsumer } from '@org/vmware-events-consumer';
import type { ConsumerOptions, VmwEventsConsumer } from '@org/vmware-events-consumer';
import type { EventProducer } from '@org/vmware-events-producer';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const kafka = new Kafka({ brokers, clientId: 'consumer-it', logLevel: logLevel.NOTHING });

/** Create `test-<uuid>` and its `.dlq` topic; both are deleted when the test finishes. */
export async function createTopic(partitions = 1): Promise<{ topic: string; dlq: string }> {
  const topic = `test-${randomUUID()}`;
  const dlq = `${topic}.dlq`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: partitions, replicationFactor: 1 },
      { topic: dlq, numPartitions: 1, replicationFactor: 1 },
    ],
  });
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
    await admin.disconnect();
  });
  return { topic, dlq };
}

/** The SDK producer, disconnected when the test finishes. */
export async function createEventProducer(): Promise<EventProducer> {
  const producer = createProducer({ brokers, lingerMs: 0 });
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  return producer;
}

/** Raw kafkajs producer (for records the SDK producer refuses to write: poison messages). */
export async function createRawProducer() {
  const producer = kafka.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  return producer;
}

/** Start a consumer from the beginning of its topics; it is closed when the test finishes. */
export async function startConsumer(
  options: Omit<ConsumerOptions, 'kafka'> & Partial<Pick<ConsumerOptions, 'kafka'>>,
): Promise<VmwEventsConsumer> {
  const consumer = createConsumer({
    kafka: { brokers, clientId: 'consumer-it', logLevel: logLevel.NOTHING },
    fromBeginning: true,
    heartbeatIntervalMs: 1000,
    sessionTimeoutMs: 10_000,
    ...options,
  });
  onTestFinished(() => consumer.close());
  await consumer.start();
  return consumer;
}

/** Poll `check` until it returns true, or fail after `timeoutMs` with `what`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Committed offsets of a group on a topic, by partition. */
export async function committedOffsets(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** Every record of a topic (from the start up to its current end). */
export async function readAll(topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const records: Array<{
    partition: number;
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, unknown>;
  }> = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: `test-read-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      records.push({
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      });
      return Promise.resolve();
    },
  });
  try {
    await waitFor(`${total} records on ${topic}`, () => records.length >= total);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export { randomUUID };
