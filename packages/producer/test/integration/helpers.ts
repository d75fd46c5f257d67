/** Integration helpers: real broker, one topic and group per test, cleanup registered where things are created. */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, IHeaders, ITopicConfig } from 'kafkajs';
import { onTestFinished, expect } from 'vitest';
import { createProducer } from '../../src/index.js';
import type { EventProducer, ProducerOptions, VmOperationEventInput } from '../../src/index.js';

export const execFileAsync = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const KAFKA_SH = `${REPO}scripts/kafka.sh`;

/** The shared broker (never restarted by these tests). */
export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export function kafkaClient(brokers: string[] = BROKERS): Kafka {
  return new Kafka({ clientId: `test-${randomUUID().slice(0, 8)}`, brokers, logLevel: logLevel.NOTHING });
}

/** An admin client, disconnected when the test finishes. */
export async function adminClient(brokers: string[] = BROKERS): Promise<Admin> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  onTestFinished(() => admin.disconnect());
  return admin;
}

/** Creates `test-<uuid>` (or the given name) and deletes it when the test finishes. */
export async function createTopic(
  options: { name?: string; partitions?: number; config?: Record<string, string>; brokers?: string[] } = {},
): Promise<string> {
  const topic = options.name ?? `test-${randomUUID()}`;
  const admin = await adminClient(options.brokers);
  const spec: ITopicConfig = {
    topic,
    numPartitions: options.partitions ?? 1,
    replicationFactor: 1,
    configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value })),
  };
  expect(await admin.createTopics({ topics: [spec], waitForLeaders: false })).toBe(true);
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  });
  // Wait (polling) until every partition has a leader.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    const partitions = meta?.topics[0]?.partitions ?? [];
    if (partitions.length === spec.numPartitions && partitions.every((p) => p.leader >= 0)) break;
    if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders after 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return topic;
}

/** A connected producer, disconnected when the test finishes. */
export async function connectedProducer(options: Partial<ProducerOptions> = {}): Promise<EventProducer> {
  const producer = createProducer({
    brokers: BROKERS,
    source: 'urn:vmware-events:test',
    lingerMs: 2,
    ...options,
  });
  onTestFinished(() => producer.disconnect());
  await producer.connect();
  return producer;
}

/** A valid VM operation event without the fields the producer fills in. */
export function vmEvent(over: Partial<VmOperationEventInput['operationInfo']> = {}): VmOperationEventInput {
  return {
    operationInfo: {
      operation: 'power_on',
      vmId: `vm-${Math.floor(Math.random() * 1e6)}`,
      username: 'alice@example.com',
      environment: 'DEV',
      tenantId: 'tenantA',
      ...over,
    },
  } as VmOperationEventInput;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function decode(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

/** Reads a topic from the beginning until `count` records arrived (or the timeout passes: then fails). */
export async function consume(
  topic: string,
  count: number,
  options: { brokers?: string[]; timeoutMs?: number; settleMs?: number } = {},
): Promise<ConsumedRecord[]> {
  const consumer = kafkaClient(options.brokers).consumer({
    groupId: `test-${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: ConsumedRecord[] = [];
  await consumer.run({
    eachMessage: ({ topic: t, partition, message }) => {
      records.push({
        topic: t,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: decode(message.headers),
      });
      return Promise.resolve();
    },
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (records.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // Give duplicates (if any) a chance to show up: wait until the topic's end offsets are all consumed.
  const admin = await adminClient(options.brokers);
  const ends = await topicOffsets(admin, topic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  while (records.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.stop();
  return records;
}

/**
 * The topic's partition offsets. Right after a topic is created the metadata can name a leader before that
 * broker serves ListOffsets for it (NOT_LEADER_OR_FOLLOWER, retriable): poll until it answers.
 */
async function topicOffsets(admin: Admin, topic: string): Promise<Array<{ high: string; low: string }>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Number of records in the topic (sum of high watermarks minus low watermarks). */
export async function recordCount(topic: string, brokers?: string[]): Promise<number> {
  const admin = await adminClient(brokers);
  const ends = await topicOffsets(admin, topic);
  return ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}
