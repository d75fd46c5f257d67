/**
 * The settings a topic plan manages, their Kafka config names, and how two config values are compared.
 */

/** `cleanup.policy` values a plan accepts. */
export const CLEANUP_POLICIES = ['delete', 'compact', 'compact,delete'] as const;

/** A `cleanup.policy`. */
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

/** The settings of one topic, fully resolved. */
export interface TopicSettings {
  /** Number of partitions. A plan can raise it on an existing topic, never lower it. */
  readonly partitions: number;
  /** Replicas of each partition. Set when the topic is created; apply never changes it afterwards. */
  readonly replicationFactor: number;
  /** `min.insync.replicas`: replicas that must have a write before an `acks=all` producer is answered. */
  readonly minInsyncReplicas: number;
  /** `retention.ms`; `-1` keeps records forever. */
  readonly retentionMs: number;
  /** `cleanup.policy`. */
  readonly cleanupPolicy: CleanupPolicy;
  /** `max.message.bytes`: the largest record batch the topic accepts. */
  readonly maxMessageBytes: number;
  /** Any other topic-level config, by its Kafka name (`compression.type: 'zstd'`). */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * What a plan gets when it says nothing: settings for a replicated production cluster (three brokers or more).
 * A single development broker needs `replicationFactor: 1, minInsyncReplicas: 1` in the plan's `defaults`.
 */
export const TOPIC_DEFAULTS: TopicSettings = Object.freeze({
  partitions: 6,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  cleanupPolicy: 'delete',
  maxMessageBytes: 1_048_588, // Kafka's own default
  config: Object.freeze({}),
});

/** The Kafka config name of each typed setting that is a topic config. */
export const TYPED_CONFIG_NAMES = {
  minInsyncReplicas: 'min.insync.replicas',
  retentionMs: 'retention.ms',
  cleanupPolicy: 'cleanup.policy',
  maxMessageBytes: 'max.message.bytes',
} as const satisfies Partial<Record<keyof TopicSettings, string>>;

/** Every topic config the settings set, by Kafka name (typed settings and `config`). */
export function topicConfigs(settings: TopicSettings): Record<string, string> {
  return {
    ...settings.config,
    [TYPED_CONFIG_NAMES.minInsyncReplicas]: String(settings.minInsyncReplicas),
    [TYPED_CONFIG_NAMES.retentionMs]: String(settings.retentionMs),
    [TYPED_CONFIG_NAMES.cleanupPolicy]: settings.cleanupPolicy,
    [TYPED_CONFIG_NAMES.maxMessageBytes]: String(settings.maxMessageBytes),
  };
}

/**
 * True when a topic's config value already is the wanted one. List values (`cleanup.policy=compact,delete`) are
 * compared as sets, since Kafka accepts them in any order; everything else as the exact string Kafka reports.
 */
export function sameConfigValue(name: string, have: string | null, want: string): boolean {
  if (have === null) return false;
  if (name === TYPED_CONFIG_NAMES.cleanupPolicy) {
    const set = (value: string) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
        .sort()
        .join(',');
    return set(have) === set(want);
  }
  return have === want;
}

/** `604800000` → `7d`, for people reading a plan; undefined when the value is not a whole number of units. */
export function describeDuration(ms: number): string | undefined {
  if (ms === -1) return 'forever';
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return undefined;
}
