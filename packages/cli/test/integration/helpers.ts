import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { onTestFinished } from 'vitest';

/** The single broker scripts/test.sh starts. */
export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * A replicated cluster (three brokers or more) for the replication tests, e.g. the three-node cluster script's
 * `KAFKA_CLUSTER_BROKERS=127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092`. Unset: those tests are skipped.
 */
export const clusterBrokers = process.env.KAFKA_CLUSTER_BROKERS?.split(',').filter(Boolean);

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
