/**
 * What the cluster has, read with the kafkajs admin client, and the three changes a plan can make to it: create a
 * topic, add partitions, set topic configs. Nothing here deletes a topic or lowers a partition count.
 */
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { TopicsError } from '../errors.js';
import type { TopicSettings } from './settings.js';
import { topicConfigs } from './settings.js';

/** The admin calls the topic plan uses: a connected kafkajs `Admin` fits. */
export type TopicAdmin = Pick<
  Admin,
  | 'describeCluster'
  | 'listTopics'
  | 'fetchTopicMetadata'
  | 'describeConfigs'
  | 'createTopics'
  | 'createPartitions'
  | 'alterConfigs'
>;

/** One config of an existing topic, as the broker reports it. */
export interface ObservedConfig {
  /** The effective value; null when the broker hides it (a sensitive config). */
  readonly value: string | null;
  /** Set on the topic itself, rather than inherited from the broker's or Kafka's defaults. */
  readonly topicLevel: boolean;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
}

/** An existing topic. */
export interface ObservedTopic {
  readonly name: string;
  readonly partitions: number;
  /** Replicas per partition (the smallest count if partitions differ). */
  readonly replicationFactor: number;
  readonly configs: ReadonlyMap<string, ObservedConfig>;
}

/** What the cluster has, for the topics of a plan. */
export interface ClusterState {
  /** Brokers in the cluster. */
  readonly brokers: number;
  /** The plan's topics that exist. */
  readonly topics: ReadonlyMap<string, ObservedTopic>;
  /** Every topic name in the cluster. */
  readonly allTopics: readonly string[];
}

const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** Reads the broker count, every topic name, and partitions, replicas and configs of the `wanted` topics that exist. */
export async function readClusterState(admin: TopicAdmin, wanted: readonly string[]): Promise<ClusterState> {
  const [cluster, allTopics] = await Promise.all([admin.describeCluster(), admin.listTopics()]);
  const present = new Set(allTopics);
  const existing = [...new Set(wanted)].filter((name) => present.has(name));
  const topics = new Map<string, ObservedTopic>();
  if (existing.length > 0) {
    const [metadata, configs] = await Promise.all([
      admin.fetchTopicMetadata({ topics: existing }),
      admin.describeConfigs({
        resources: existing.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
        includeSynonyms: false,
      }),
    ]);
    const configsByTopic = new Map(configs.resources.map((r) => [r.resourceName, r]));
    for (const topic of metadata.topics) {
      const described = configsByTopic.get(topic.name);
      if (described === undefined || described.errorCode !== 0) {
        throw new TopicsError(
          'TOPICS_CLUSTER',
          `Could not read the configs of topic ${topic.name}: ${described?.errorMessage ?? 'no answer for it'}`,
        );
      }
      const replicas = topic.partitions.map((p) => p.replicas.length);
      topics.set(topic.name, {
        name: topic.name,
        partitions: topic.partitions.length,
        replicationFactor: replicas.length === 0 ? 0 : Math.min(...replicas),
        configs: new Map(
          described.configEntries.map((entry) => [
            entry.configName,
            {
              value: entry.configValue ?? null,
              topicLevel: entry.configSource === ConfigSource.TOPIC_CONFIG,
              readOnly: entry.readOnly,
              sensitive: entry.isSensitive,
            },
          ]),
        ),
      });
    }
  }
  return { brokers: cluster.brokers.length, topics, allTopics };
}

/** Creates one topic with its settings. Returns false when it already existed (created by someone else meanwhile). */
export async function createTopic(
  admin: TopicAdmin,
  name: string,
  settings: TopicSettings,
  validateOnly = false,
): Promise<boolean> {
  return admin.createTopics({
    validateOnly,
    waitForLeaders: !validateOnly,
    topics: [
      {
        topic: name,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        configEntries: Object.entries(topicConfigs(settings)).map(([n, value]) => ({ name: n, value })),
      },
    ],
  });
}

/** Raises a topic's partition count to `count`. */
export async function addPartitions(admin: TopicAdmin, name: string, count: number, validateOnly = false) {
  await admin.createPartitions({ validateOnly, topicPartitions: [{ topic: name, count }] });
}

/**
 * Sets topic configs. kafkajs only has the (non-incremental) AlterConfigs request, which resets every topic-level
 * config it is not given: so the request carries the topic's current topic-level configs with `changes` on top.
 */
export async function alterTopicConfigs(
  admin: TopicAdmin,
  topic: ObservedTopic,
  changes: Readonly<Record<string, string>>,
  validateOnly = false,
) {
  const keep: Record<string, string> = {};
  for (const [name, config] of topic.configs) {
    if (!config.topicLevel) continue;
    if (config.value === null) {
      throw new TopicsError(
        'TOPICS_APPLY_FAILED',
        `Topic ${topic.name} has a sensitive topic-level config '${name}' whose value the broker hides; changing other configs would reset it, so they are left alone`,
      );
    }
    keep[name] = config.value;
  }
  const entries = { ...keep, ...changes };
  await admin.alterConfigs({
    validateOnly,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic.name,
        configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })),
      },
    ],
  });
}
