/**
 * The difference between a plan and the cluster, as pure data: what apply would do to each topic, what it leaves
 * alone and why, and what would make it fail. Never a deletion, never fewer partitions.
 */
import { CANONICAL_TOPIC } from '@org/vmware-events-schema';
import type { ClusterState, ObservedTopic } from './cluster.js';
import type { DesiredTopic, TopicPlan } from './plan.js';
import { sameConfigValue, topicConfigs } from './settings.js';

/** One config value apply would set. `from` is the current effective value (null: hidden or not reported). */
export interface ConfigChange {
  readonly name: string;
  readonly from: string | null;
  readonly to: string;
}

/** A change apply would make to one topic. */
export type TopicAction =
  | {
      readonly type: 'create';
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly configs: Readonly<Record<string, string>>;
    }
  | { readonly type: 'add-partitions'; readonly from: number; readonly to: number }
  | { readonly type: 'alter-configs'; readonly changes: readonly ConfigChange[] };

/** `create`: missing; `change`: exists and differs; `in-sync`: nothing to do. */
export type TopicStatus = 'create' | 'change' | 'in-sync';

/** The plan for one topic. */
export interface TopicPlanEntry {
  readonly topic: DesiredTopic;
  readonly status: TopicStatus;
  readonly actions: readonly TopicAction[];
  /** What apply leaves as it is, or what a change implies, with the reason. */
  readonly notes: readonly string[];
  /** Why apply would fail; apply refuses to start while any entry has one. */
  readonly problems: readonly string[];
}

/** The whole plan against one cluster. */
export interface TopicPlanResult {
  /** Brokers in the cluster. */
  readonly brokers: number;
  readonly entries: readonly TopicPlanEntry[];
  /** Topics in the plan's namespaces that the plan does not list. Never deleted; listed so nobody is surprised. */
  readonly unmanaged: readonly string[];
  readonly counts: {
    readonly create: number;
    readonly change: number;
    readonly inSync: number;
    readonly problems: number;
  };
  /** True when apply would change something. */
  readonly hasChanges: boolean;
  /** True when apply would refuse to run. */
  readonly hasProblems: boolean;
}

/** Compares a plan with what the cluster has (see {@link readClusterState}). */
export function diffTopicPlan(plan: TopicPlan, cluster: ClusterState): TopicPlanResult {
  const entries = plan.topics.map((topic) => {
    const observed = cluster.topics.get(topic.name);
    return observed === undefined ? planCreate(topic, cluster.brokers) : planUpdate(topic, observed);
  });
  return summarize(cluster.brokers, entries, unmanagedTopics(plan, cluster.allTopics));
}

/** Adds problems found by the broker (validate-only requests) to a result. */
export function withProblems(
  result: TopicPlanResult,
  problems: ReadonlyMap<string, readonly string[]>,
): TopicPlanResult {
  if (problems.size === 0) return result;
  const entries = result.entries.map((entry) => {
    const extra = problems.get(entry.topic.name);
    return extra === undefined ? entry : { ...entry, problems: [...entry.problems, ...extra] };
  });
  return summarize(result.brokers, entries, result.unmanaged);
}

function summarize(
  brokers: number,
  entries: TopicPlanEntry[],
  unmanaged: readonly string[],
): TopicPlanResult {
  const count = (status: TopicStatus) => entries.filter((e) => e.status === status).length;
  const problems = entries.filter((e) => e.problems.length > 0).length;
  return {
    brokers,
    entries,
    unmanaged,
    counts: { create: count('create'), change: count('change'), inSync: count('in-sync'), problems },
    hasChanges: entries.some((e) => e.actions.length > 0),
    hasProblems: problems > 0,
  };
}

function planCreate(topic: DesiredTopic, brokers: number): TopicPlanEntry {
  const { partitions, replicationFactor } = topic.settings;
  const problems =
    replicationFactor > brokers
      ? [
          `replication factor ${replicationFactor} needs at least ${replicationFactor} brokers; the cluster has ${brokers} (set replicationFactor in the plan)`,
        ]
      : [];
  return {
    topic,
    status: 'create',
    actions: [{ type: 'create', partitions, replicationFactor, configs: topicConfigs(topic.settings) }],
    notes: [],
    problems,
  };
}

function planUpdate(topic: DesiredTopic, observed: ObservedTopic): TopicPlanEntry {
  const actions: TopicAction[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const want = topic.settings;

  if (observed.partitions < want.partitions) {
    actions.push({ type: 'add-partitions', from: observed.partitions, to: want.partitions });
    notes.push(
      `adding partitions moves keys: a VM's events written after the change may go to another partition than its earlier ones, so order per VM holds again only once the earlier ones are consumed`,
    );
  } else if (observed.partitions > want.partitions) {
    notes.push(
      `keeps ${observed.partitions} partitions (plan: ${want.partitions}): Kafka cannot remove partitions, and fewer would move every key to another partition`,
    );
  }
  if (observed.replicationFactor !== want.replicationFactor) {
    notes.push(
      `replication factor is ${observed.replicationFactor} (plan: ${want.replicationFactor}): apply does not change it; that is a partition reassignment (kafka-reassign-partitions), see docs/topics.md`,
    );
  }
  if (want.minInsyncReplicas > observed.replicationFactor) {
    problems.push(
      `min.insync.replicas ${want.minInsyncReplicas} would exceed the topic's replication factor ${observed.replicationFactor}: every acks=all write would fail`,
    );
  }

  const changes: ConfigChange[] = [];
  for (const [name, value] of Object.entries(topicConfigs(want))) {
    const config = observed.configs.get(name);
    if (config === undefined) {
      problems.push(
        `the broker does not report a topic config named '${name}' (a typo, or a newer Kafka's config?)`,
      );
    } else if (config.sensitive) {
      problems.push(
        `'${name}' is a sensitive config whose value the broker hides: the plan cannot compare or manage it`,
      );
    } else if (!sameConfigValue(name, config.value, value)) {
      if (config.readOnly)
        problems.push(`'${name}' is read-only on this topic (the broker reports ${config.value})`);
      else changes.push({ name, from: config.value, to: value });
    }
  }
  if (changes.length > 0) actions.push({ type: 'alter-configs', changes });
  return { topic, status: actions.length > 0 ? 'change' : 'in-sync', actions, notes, problems };
}

/** Existing topics under `vmware.events` or under an `<ENV>.<tenant>.` prefix of a planned domain topic. */
function unmanagedTopics(plan: TopicPlan, allTopics: readonly string[]): string[] {
  const planned = new Set(plan.topics.map((t) => t.name));
  const prefixes = new Set([`${CANONICAL_TOPIC}.`]);
  for (const topic of plan.topics) {
    if (topic.kind === 'domain') prefixes.add(`${topic.name.split('.').slice(0, 2).join('.')}.`);
  }
  return allTopics
    .filter((name) => !planned.has(name))
    .filter((name) => name === CANONICAL_TOPIC || [...prefixes].some((prefix) => name.startsWith(prefix)))
    .sort();
}
