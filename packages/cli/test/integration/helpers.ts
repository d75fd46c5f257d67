import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { onTestFinished } from 'vitest';
import { defineTopicPlan } from '@org/vmware-events-cli';
import type { TopicPlanInput } from '@org/vmware-events-cli';

/** The single broker scripts/test.sh starts. */
export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** The topic settings the topic plan manages (what the tests compare). */
export const MANAGED = [
  'min.insync.replicas',
  'retention.ms',
  'cleanup.policy',
  'max.message.bytes',
  'segment.ms',
  'compression.type',
];

/** The names of the topics a plan input gives. */
export const names = (input: TopicPlanInput) => defineTopicPlan(input).topics.map((t) => t.name);

/** A unique, valid topic-name segment for one test. */
export const uniqueName = (prefix = 'it') => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * A connected admin client; when the test finishes, the topics it lists in `cleanup` are deleted and it
 * disconnects. (The tests delete what they created; the topic plan itself never deletes.)
 */
export async function createAdmin(
  list: readonly string[] = brokers,
): Promise<{ admin: Admin; cleanup: Set<string> }> {
  const admin = new kafkajs.Kafka({
    brokers: [...list],
    clientId: 'cli-tests',
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const cleanup = new Set<string>();
  onTestFinished(async () => {
    const existing = new Set(await admin.listTopics());
    const topics = [...cleanup].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });
  return { admin, cleanup };
}

/** Partitions, replicas per partition and the named configs of a topic, read with plain kafkajs calls. */
export async function describeTopic(admin: Admin, topic: string, configs: readonly string[]) {
  const [{ topics }, described] = await Promise.all([
    admin.fetchTopicMetadata({ topics: [topic] }),
    admin.describeConfigs({
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: [...configs] }],
      includeSynonyms: false,
    }),
  ]);
  const partitions = topics[0]!.partitions;
  return {
    partitions: partitions.length,
    replicas: [...new Set(partitions.map((p) => p.replicas.length))],
    configs: Object.fromEntries(
      described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    ),
  };
}
