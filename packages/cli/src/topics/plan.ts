/**
 * A topic plan resolved into concrete topics: names from the SDK's topic conventions, settings layered
 * TOPIC_DEFAULTS → plan `defaults` → entry → (`deadLetter` / `raw`) → the entry's own `deadLetter` / `raw`.
 */
import {
  CANONICAL_TOPIC,
  deadLetterTopic,
  domainTopic,
  environmentTopic,
  isInvalidTopicNameError,
  rawEventsTopic,
  retryTopic,
  teamTopic,
} from '@org/vmware-events-schema';
import type { z } from 'zod';
import { InvalidTopicPlanError } from '../errors.js';
import type { TopicPlanIssue } from '../errors.js';
import { topicPlanSchema } from './plan-schema.js';
import type { ParsedDerived, ParsedSettings, ParsedTopicPlan, TopicPlanInput } from './plan-schema.js';
import { TOPIC_DEFAULTS } from './settings.js';
import type { TopicSettings } from './settings.js';

/** What a planned topic is for. */
export type TopicKind = 'canonical' | 'environment' | 'team' | 'domain' | 'dead-letter' | 'raw' | 'retry';

/** One topic the plan wants, with every setting resolved. */
export interface DesiredTopic {
  readonly name: string;
  readonly kind: TopicKind;
  /** For a dead-letter, raw or retry topic: the topic it belongs to. */
  readonly parent?: string;
  /** Where in the plan it comes from, e.g. `topics.environments[0].deadLetter`. */
  readonly source: string;
  readonly settings: TopicSettings;
}

/**
 * A validated plan: every topic it wants, main topics each followed by their dead-letter and raw topics, then their
 * retry topics (each followed by its dead-letter topic).
 */
export interface TopicPlan {
  readonly topics: readonly DesiredTopic[];
}

/**
 * A topic plan from code. Throws {@link InvalidTopicPlanError} listing every problem with its path.
 *
 * @example
 * const plan = defineTopicPlan({
 *   defaults: { replicationFactor: 3, minInsyncReplicas: 2 },
 *   deadLetter: { retentionMs: 28 * 86_400_000 },
 *   topics: { canonical: true, environments: ['prod', { name: 'dev', partitions: 3 }] },
 * });
 */
export function defineTopicPlan(input: TopicPlanInput): TopicPlan {
  return parseTopicPlan(input);
}

/** A topic plan from parsed JSON/YAML (`file` names it in errors). Throws {@link InvalidTopicPlanError}. */
export function parseTopicPlan(value: unknown, file?: string): TopicPlan {
  const parsed = topicPlanSchema.safeParse(value);
  if (!parsed.success) throw new InvalidTopicPlanError(zodIssues(parsed.error), file);
  const { topics, issues } = resolve(parsed.data);
  issues.push(...crossChecks(topics));
  if (issues.length > 0) throw new InvalidTopicPlanError(issues, file);
  return Object.freeze({ topics: Object.freeze(topics) });
}

function zodIssues(error: z.ZodError): TopicPlanIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function layer(base: TopicSettings, over: ParsedSettings | undefined): TopicSettings {
  if (over === undefined) return base;
  const { config, ...typed } = over;
  const defined = Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== undefined));
  return { ...base, ...defined, config: { ...base.config, ...config } };
}

interface MainEntry {
  name: () => string;
  kind: Exclude<TopicKind, 'dead-letter' | 'raw' | 'retry'>;
  source: string;
  settings: ParsedSettings | undefined;
  deadLetter: ParsedDerived | undefined;
  raw: ParsedDerived | undefined;
  retryGroups: readonly string[] | undefined;
}

function entries(plan: ParsedTopicPlan): MainEntry[] {
  const out: MainEntry[] = [];
  const { canonical, environments = [], teams = [], domains = [] } = plan.topics;
  const split = <T extends { deadLetter?: ParsedDerived; raw?: ParsedDerived; retryGroups?: string[] }>(
    entry: T,
  ) => {
    const { deadLetter, raw, retryGroups, ...settings } = entry;
    return { deadLetter, raw, retryGroups, settings: settings as ParsedSettings };
  };
  const none = { deadLetter: undefined, raw: undefined, retryGroups: undefined, settings: undefined };
  if (canonical !== undefined && canonical !== false) {
    const parts = canonical === true ? none : split(canonical);
    out.push({ name: () => CANONICAL_TOPIC, kind: 'canonical', source: 'topics.canonical', ...parts });
  }
  const named = (list: typeof environments, kind: 'environment' | 'team', build: (name: string) => string) =>
    list.forEach((entry, i) => {
      const source = `topics.${kind === 'environment' ? 'environments' : 'teams'}[${i}]`;
      if (typeof entry === 'string') {
        out.push({ name: () => build(entry), kind, source, ...none });
      } else {
        const { name, ...rest } = entry;
        out.push({ name: () => build(name), kind, source, ...split(rest) });
      }
    });
  named(environments, 'environment', environmentTopic);
  named(teams, 'team', teamTopic);
  domains.forEach((entry, i) => {
    const { environment, tenant, module, entity, ...rest } = entry;
    const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
    for (const env of list(environment))
      for (const ten of list(tenant))
        for (const ent of list(entity))
          out.push({
            name: () => domainTopic({ environment: env, tenant: ten, module, entity: ent }),
            kind: 'domain',
            source: `topics.domains[${i}]`,
            ...split(rest),
          });
  });
  return out;
}

function resolve(plan: ParsedTopicPlan): { topics: DesiredTopic[]; issues: TopicPlanIssue[] } {
  const topics: DesiredTopic[] = [];
  const issues: TopicPlanIssue[] = [];
  const base = layer(TOPIC_DEFAULTS, plan.defaults);
  const derive = (
    kind: 'dead-letter' | 'raw',
    parent: DesiredTopic,
    entryValue: ParsedDerived | undefined,
    planLevel: ParsedSettings | undefined,
    wantedByDefault: boolean,
  ) => {
    if (entryValue === false || (entryValue === undefined && !wantedByDefault)) return;
    const key = kind === 'dead-letter' ? 'deadLetter' : 'raw';
    const source = `${parent.source}.${key}`;
    try {
      const name = kind === 'dead-letter' ? deadLetterTopic(parent.name) : rawEventsTopic(parent.name);
      const own = typeof entryValue === 'object' ? entryValue : undefined;
      topics.push({
        name,
        kind,
        parent: parent.name,
        source,
        settings: layer(layer(parent.settings, planLevel), own),
      });
    } catch (error) {
      if (!isInvalidTopicNameError(error)) throw error;
      issues.push({ path: source, message: error.message });
    }
  };
  for (const entry of entries(plan)) {
    let name: string;
    try {
      name = entry.name();
    } catch (error) {
      if (!isInvalidTopicNameError(error)) throw error;
      issues.push({ path: entry.source, message: error.message });
      continue;
    }
    const main: DesiredTopic = {
      name,
      kind: entry.kind,
      source: entry.source,
      settings: layer(base, entry.settings),
    };
    topics.push(main);
    derive('dead-letter', main, entry.deadLetter, plan.deadLetter, true);
    derive('raw', main, entry.raw, plan.raw, entry.kind !== 'domain');
    (entry.retryGroups ?? []).forEach((group, i) => {
      const source = `${entry.source}.retryGroups[${i}]`;
      let retryName: string;
      try {
        retryName = retryTopic(name, group);
      } catch (error) {
        if (!isInvalidTopicNameError(error)) throw error;
        issues.push({ path: source, message: error.message });
        return;
      }
      const retry: DesiredTopic = {
        name: retryName,
        kind: 'retry',
        parent: name,
        source,
        settings: main.settings,
      };
      topics.push(retry);
      derive('dead-letter', retry, entry.deadLetter, plan.deadLetter, true);
    });
  }
  return { topics, issues };
}

function crossChecks(topics: readonly DesiredTopic[]): TopicPlanIssue[] {
  const issues: TopicPlanIssue[] = [];
  const byName = new Map<string, DesiredTopic>();
  const byMetricName = new Map<string, DesiredTopic>();
  // A dead-letter or raw topic repeats its parent's problem: report it once, at the parent.
  const reported = new Map<string, Set<'replicas' | 'twice'>>();
  const report = (topic: DesiredTopic, kind: 'replicas' | 'twice', message: string) => {
    const seen = topic.parent !== undefined && reported.get(topic.parent)?.has(kind) === true;
    reported.set(topic.name, (reported.get(topic.name) ?? new Set()).add(kind));
    if (!seen) issues.push({ path: topic.source, message });
  };
  for (const topic of topics) {
    const { minInsyncReplicas, replicationFactor } = topic.settings;
    if (minInsyncReplicas > replicationFactor) {
      report(
        topic,
        'replicas',
        `${topic.name}: minInsyncReplicas (${minInsyncReplicas}) must not exceed replicationFactor (${replicationFactor}); every acks=all write would fail with NOT_ENOUGH_REPLICAS`,
      );
    }
    const same = byName.get(topic.name);
    if (same !== undefined) {
      report(
        topic,
        'twice',
        `${topic.name} is planned twice: by ${same.source} and by ${topic.source} (environments and teams share the vmware.events.<name> namespace)`,
      );
      continue;
    }
    byName.set(topic.name, topic);
    const metricName = topic.name.replaceAll('.', '_');
    const clash = byMetricName.get(metricName);
    if (clash !== undefined) {
      issues.push({
        path: topic.source,
        message: `${topic.name} and ${clash.name} (${clash.source}) differ only in '.' and '_': Kafka gives them the same metric names`,
      });
    }
    byMetricName.set(metricName, topic);
  }
  return issues;
}
