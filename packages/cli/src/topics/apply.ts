/**
 * `plan` and `apply` against a cluster. Plan reads the cluster, diffs, and has the broker validate every change
 * without making it (so plan reports what apply would fail on). Apply refuses to start while the plan has problems,
 * makes the changes one topic at a time, and then reads the cluster again until it matches the plan.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TopicsError, isTopicsError } from '../errors.js';
import type { TopicAdmin } from './cluster.js';
import { addPartitions, alterTopicConfigs, createTopic, readClusterState } from './cluster.js';
import type { ClusterState } from './cluster.js';
import { diffTopicPlan, withProblems } from './diff.js';
import type { TopicAction, TopicPlanResult } from './diff.js';
import type { TopicPlan } from './plan.js';

/** Options of {@link planTopics}. */
export interface PlanOptions {
  /** Have the broker validate each change without making it (validate-only requests). Default true. */
  validate?: boolean;
}

/** One change apply made. */
export interface AppliedChange {
  readonly topic: string;
  readonly action: TopicAction;
  /** False when the topic to create already existed by then (someone else created it): the re-plan covers it. */
  readonly done: boolean;
}

/** What apply did. */
export interface ApplyResult {
  /** The plan apply started from. */
  readonly before: TopicPlanResult;
  /** Every change made, in order. */
  readonly applied: readonly AppliedChange[];
  /** The plan against the cluster afterwards: no changes left. */
  readonly after: TopicPlanResult;
}

/** Options of {@link applyTopicPlan}. */
export interface ApplyOptions {
  /** Called after each change, e.g. to print progress. */
  onChange?: (change: AppliedChange) => void;
  /** How long to wait for the cluster to show every change (metadata propagates). Default 15 s. */
  settleTimeoutMs?: number;
}

/** Raised by {@link applyTopicPlan} when it refuses to start or a change fails. Carries what is known. */
export class TopicApplyError extends TopicsError {
  /** The plan apply started from (its problems, when it refused). */
  readonly plan: TopicPlanResult;
  /** The changes made before the failure. */
  readonly applied: readonly AppliedChange[];

  constructor(message: string, plan: TopicPlanResult, applied: readonly AppliedChange[], cause?: unknown) {
    super('TOPICS_APPLY_FAILED', message, cause === undefined ? {} : { cause });
    this.name = 'TopicApplyError';
    this.plan = plan;
    this.applied = applied;
  }
}

/** True for a {@link TopicApplyError} (any ESM/CJS copy). */
export function isTopicApplyError(error: unknown): error is TopicApplyError {
  return (
    isTopicsError(error) && error.code === 'TOPICS_APPLY_FAILED' && 'plan' in error && 'applied' in error
  );
}

/**
 * The plan against the cluster: what apply would create or change, what it leaves alone and why, and problems.
 *
 * @example
 * const admin = new Kafka({ brokers }).admin();
 * await admin.connect();
 * const result = await planTopics(admin, await loadTopicPlan('topics.yaml'));
 * process.stdout.write(formatTopicPlan(result));
 */
export async function planTopics(
  admin: TopicAdmin,
  plan: TopicPlan,
  options: PlanOptions = {},
): Promise<TopicPlanResult> {
  return (await planAgainst(admin, plan, options.validate ?? true)).result;
}

async function planAgainst(admin: TopicAdmin, plan: TopicPlan, validate: boolean) {
  const cluster = await readClusterState(
    admin,
    plan.topics.map((t) => t.name),
  );
  const result = diffTopicPlan(plan, cluster);
  if (!validate) return { result, cluster };
  return { result: withProblems(result, await brokerProblems(admin, result, cluster)), cluster };
}

/**
 * Makes the cluster match the plan: creates missing topics, raises partition counts, sets configs. Never deletes a
 * topic, never lowers a partition count, never changes a replication factor (plan says why for each). Running it
 * again changes nothing.
 *
 * @throws TopicApplyError when the plan has problems (nothing is changed), a change fails, or the cluster still
 *   differs from the plan afterwards.
 */
export async function applyTopicPlan(
  admin: TopicAdmin,
  plan: TopicPlan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const { result: before, cluster } = await planAgainst(admin, plan, true);
  if (before.hasProblems) {
    throw new TopicApplyError(
      `Nothing was changed: the plan has problems on ${before.counts.problems} topic${before.counts.problems === 1 ? '' : 's'} (run plan to see them)`,
      before,
      [],
    );
  }
  const applied: AppliedChange[] = [];
  for (const entry of before.entries) {
    for (const action of entry.actions) {
      const name = entry.topic.name;
      try {
        let done = true;
        if (action.type === 'create') done = await createTopic(admin, name, entry.topic.settings);
        else if (action.type === 'add-partitions') await addPartitions(admin, name, action.to);
        else await alterTopicConfigs(admin, observed(cluster, name), changesOf(action.changes));
        const change = { topic: name, action, done };
        applied.push(change);
        options.onChange?.(change);
      } catch (error) {
        throw new TopicApplyError(
          `Changing ${name} failed (${describeAction(action)}): ${reason(error)}; ${applied.length} change${applied.length === 1 ? '' : 's'} made before it`,
          before,
          applied,
          error,
        );
      }
    }
  }
  const after = await settle(admin, plan, options.settleTimeoutMs ?? 15_000);
  if (after.hasChanges) {
    throw new TopicApplyError(
      `The cluster still differs from the plan after apply (${after.counts.create} to create, ${after.counts.change} to change)`,
      after,
      applied,
    );
  }
  return { before, applied, after };
}

async function settle(admin: TopicAdmin, plan: TopicPlan, timeoutMs: number): Promise<TopicPlanResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await planTopics(admin, plan, { validate: false });
    if (!result.hasChanges || Date.now() >= deadline) return result;
    await sleep(250);
  }
}

function observed(cluster: ClusterState, name: string) {
  const topic = cluster.topics.get(name);
  if (topic === undefined) throw new TopicsError('TOPICS_CLUSTER', `Topic ${name} vanished while apply ran`);
  return topic;
}

const changesOf = (changes: ReadonlyArray<{ name: string; to: string }>) =>
  Object.fromEntries(changes.map((c) => [c.name, c.to]));

/** Short text for an action, for messages. */
export function describeAction(action: TopicAction): string {
  switch (action.type) {
    case 'create':
      return `create with ${action.partitions} partitions, replication factor ${action.replicationFactor}`;
    case 'add-partitions':
      return `partitions ${action.from} → ${action.to}`;
    case 'alter-configs':
      return `set ${action.changes.map((c) => `${c.name}=${c.to}`).join(', ')}`;
  }
}

/** Validate-only requests for every change; a rejection becomes a problem of its topic, anything else is thrown. */
async function brokerProblems(admin: TopicAdmin, result: TopicPlanResult, cluster: ClusterState) {
  const problems = new Map<string, string[]>();
  const known = await knownConfigNames(admin, cluster);
  for (const entry of result.entries) {
    if (entry.problems.length > 0) continue;
    const name = entry.topic.name;
    const found: string[] = [];
    for (const action of entry.actions) {
      if (action.type === 'create' && known !== undefined) {
        const unknown = Object.keys(action.configs).filter((config) => !known.has(config));
        if (unknown.length > 0) {
          found.push(`the broker has no topic config named ${unknown.map((c) => `'${c}'`).join(', ')}`);
          continue;
        }
      }
      try {
        if (action.type === 'create') await createTopic(admin, name, entry.topic.settings, true);
        else if (action.type === 'add-partitions') await addPartitions(admin, name, action.to, true);
        else await alterTopicConfigs(admin, observed(cluster, name), changesOf(action.changes), true);
      } catch (error) {
        const rejection = brokerRejection(error);
        if (rejection === undefined) throw error;
        found.push(`the broker rejects "${describeAction(action)}": ${rejection}`);
      }
    }
    if (found.length > 0) problems.set(name, found);
  }
  return problems;
}

/** Topic config names the broker knows, from any topic it describes; undefined when it has no topic to describe. */
async function knownConfigNames(admin: TopicAdmin, cluster: ClusterState): Promise<Set<string> | undefined> {
  const any = cluster.topics.values().next().value;
  if (any !== undefined) return new Set(any.configs.keys());
  const name = cluster.allTopics[0];
  if (name === undefined) return undefined;
  const state = await readClusterState(admin, [name]);
  const topic = state.topics.get(name);
  return topic === undefined ? undefined : new Set(topic.configs.keys());
}

/** The broker's answer when it refused a request (a Kafka error code), or undefined for other failures. */
function brokerRejection(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { type?: unknown; message?: unknown; errors?: unknown; name?: unknown };
  if (typeof e.type === 'string') return `${e.type} (${String(e.message)})`;
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    const parts = e.errors.map((inner) => brokerRejection(inner));
    if (parts.every((p) => p !== undefined)) return parts.join('; ');
  }
  return undefined;
}

function reason(error: unknown): string {
  return (
    brokerRejection(error) ?? (error instanceof Error ? `${error.name}: ${error.message}` : String(error))
  );
}
