import { describe, expect, it } from 'vitest';
import {
  TOPIC_DEFAULTS,
  defineTopicPlan,
  isInvalidTopicPlanError,
  parseTopicPlanText,
} from '@org/vmware-events-cli';
import type { TopicPlanInput } from '@org/vmware-events-cli';

const issuesOf = (input: unknown) => {
  try {
    defineTopicPlan(input as TopicPlanInput);
  } catch (error) {
    if (isInvalidTopicPlanError(error)) return error.issues;
    throw error;
  }
  throw new Error('the plan was accepted');
};

const byName = (input: TopicPlanInput) => new Map(defineTopicPlan(input).topics.map((t) => [t.name, t]));

describe('defineTopicPlan: which topics', () => {
  it('gives each VM operation topic its dead-letter and raw topic, right after it', () => {
    const plan = defineTopicPlan({ topics: { canonical: true, environments: ['prod'], teams: ['billing'] } });
    expect(plan.topics.map((t) => [t.name, t.kind, t.parent])).toEqual([
      ['vmware.events', 'canonical', undefined],
      ['vmware.events.dlq', 'dead-letter', 'vmware.events'],
      ['vmware.events.raw', 'raw', 'vmware.events'],
      ['vmware.events.prod', 'environment', undefined],
      ['vmware.events.prod.dlq', 'dead-letter', 'vmware.events.prod'],
      ['vmware.events.prod.raw', 'raw', 'vmware.events.prod'],
      ['vmware.events.billing', 'team', undefined],
      ['vmware.events.billing.dlq', 'dead-letter', 'vmware.events.billing'],
      ['vmware.events.billing.raw', 'raw', 'vmware.events.billing'],
    ]);
  });

  it("gives a consumer group a retry topic with the topic's settings and a dead-letter topic of its own", () => {
    const plan = defineTopicPlan({
      deadLetter: { retentionMs: 2_419_200_000 },
      topics: { canonical: { partitions: 12, raw: false, retryGroups: ['billing', 'audit'] } },
    });
    expect(plan.topics.map((t) => [t.name, t.kind, t.parent, t.source])).toEqual([
      ['vmware.events', 'canonical', undefined, 'topics.canonical'],
      ['vmware.events.dlq', 'dead-letter', 'vmware.events', 'topics.canonical.deadLetter'],
      ['vmware.events.retry.billing', 'retry', 'vmware.events', 'topics.canonical.retryGroups[0]'],
      [
        'vmware.events.retry.billing.dlq',
        'dead-letter',
        'vmware.events.retry.billing',
        'topics.canonical.retryGroups[0].deadLetter',
      ],
      ['vmware.events.retry.audit', 'retry', 'vmware.events', 'topics.canonical.retryGroups[1]'],
      [
        'vmware.events.retry.audit.dlq',
        'dead-letter',
        'vmware.events.retry.audit',
        'topics.canonical.retryGroups[1].deadLetter',
      ],
    ]);
    const topics = byName({
      deadLetter: { retentionMs: 2_419_200_000 },
      topics: { canonical: { partitions: 12, retryGroups: ['billing'] } },
    });
    expect(topics.get('vmware.events.retry.billing')!.settings).toEqual(
      topics.get('vmware.events')!.settings,
    );
    expect(topics.get('vmware.events.retry.billing.dlq')!.settings).toMatchObject({
      partitions: 12,
      retentionMs: 2_419_200_000,
    });
    const noDeadLetters = defineTopicPlan({
      topics: { teams: [{ name: 'ops', deadLetter: false, raw: false, retryGroups: ['g'] }] },
    });
    expect(noDeadLetters.topics.map((t) => t.name)).toEqual([
      'vmware.events.ops',
      'vmware.events.ops.retry.g',
    ]);
  });

  it('refuses a consumer group that cannot name a retry topic, and reports a topic problem once', () => {
    expect(issuesOf({ topics: { canonical: { retryGroups: ['billing.v2'] } } })).toEqual([
      {
        path: 'topics.canonical.retryGroups[0]',
        message: `Invalid consumer group "billing.v2" for a topic name: it must not contain '.', which separates the segments`,
      },
    ]);
    const replicas = issuesOf({
      defaults: { replicationFactor: 1, minInsyncReplicas: 2 },
      topics: { canonical: { retryGroups: ['billing'] } },
    });
    expect(replicas.map((i) => i.path)).toEqual(['topics.canonical']);
  });

  it('expands seed-002 domain topics over every environment, tenant and entity, with a dead letter but no raw topic', () => {
    const plan = defineTopicPlan({
      topics: {
        domains: [
          {
            environment: 'bugfest',
            tenant: ['fs09000000', 'diku'],
            module: 'inventory-storage',
            entity: ['instance', 'item'],
          },
        ],
      },
    });
    expect(plan.topics.filter((t) => t.kind === 'domain').map((t) => t.name)).toEqual([
      'bugfest.fs09000000.inventory.instance',
      'bugfest.fs09000000.inventory.item',
      'bugfest.diku.inventory.instance',
      'bugfest.diku.inventory.item',
    ]);
    expect(plan.topics.filter((t) => t.kind === 'raw')).toEqual([]);
    expect(plan.topics.filter((t) => t.kind === 'dead-letter')).toHaveLength(4);
  });

  it('leaves out a dead-letter or raw topic set to false, and adds a raw topic to a domain entry that asks', () => {
    const topics = byName({
      topics: {
        canonical: { deadLetter: false, raw: false },
        domains: [{ environment: 'dev', tenant: 't1', module: 'orders', entity: 'order', raw: true }],
      },
    });
    expect([...topics.keys()]).toEqual([
      'vmware.events',
      'dev.t1.orders.order',
      'dev.t1.orders.order.dlq',
      'dev.t1.orders.order.raw',
    ]);
  });

  it('plans nothing for canonical: false and no lists', () => {
    expect(defineTopicPlan({ topics: { canonical: false } }).topics).toEqual([]);
  });
});

describe('defineTopicPlan: settings', () => {
  it('uses the SDK defaults when the plan sets nothing', () => {
    expect(byName({ topics: { canonical: true } }).get('vmware.events')!.settings).toEqual(TOPIC_DEFAULTS);
  });

  it('layers defaults, then the entry, and for derived topics the plan level, then the entry level', () => {
    const topics = byName({
      defaults: { replicationFactor: 1, minInsyncReplicas: 1, config: { 'compression.type': 'zstd' } },
      deadLetter: { retentionMs: 2_419_200_000 },
      raw: { partitions: 1 },
      topics: {
        environments: [
          { name: 'prod', partitions: 12, deadLetter: { partitions: 2, config: { 'segment.ms': 3600000 } } },
        ],
      },
    });
    expect(topics.get('vmware.events.prod')!.settings).toMatchObject({
      partitions: 12,
      replicationFactor: 1,
      retentionMs: TOPIC_DEFAULTS.retentionMs,
      config: { 'compression.type': 'zstd' },
    });
    expect(topics.get('vmware.events.prod.dlq')!.settings).toMatchObject({
      partitions: 2,
      replicationFactor: 1,
      retentionMs: 2_419_200_000,
      config: { 'compression.type': 'zstd', 'segment.ms': '3600000' },
    });
    expect(topics.get('vmware.events.prod.raw')!.settings).toMatchObject({
      partitions: 1,
      retentionMs: TOPIC_DEFAULTS.retentionMs,
    });
    expect(topics.get('vmware.events.prod.dlq')!.source).toBe('topics.environments[0].deadLetter');
  });
});

describe('defineTopicPlan: invalid plans name what is wrong and where', () => {
  it('rejects min.insync.replicas above the replication factor, with the reason', () => {
    expect(
      issuesOf({
        defaults: { replicationFactor: 1 },
        topics: { canonical: { deadLetter: false, raw: false } },
      }),
    ).toEqual([
      {
        path: 'topics.canonical',
        message: expect.stringContaining('minInsyncReplicas (2) must not exceed replicationFactor (1)'),
      },
    ]);
  });

  it("reports a problem of a topic once, not again for its dead-letter and raw topics, but a derived topic's own", () => {
    expect(
      issuesOf({ defaults: { replicationFactor: 1 }, topics: { canonical: true } }).map((i) => i.path),
    ).toEqual(['topics.canonical']);
    const own = issuesOf({
      defaults: { replicationFactor: 1, minInsyncReplicas: 1 },
      topics: { canonical: { deadLetter: { minInsyncReplicas: 2 } } },
    });
    expect(own.map((i) => i.path)).toEqual(['topics.canonical.deadLetter']);
  });

  it('rejects a topic planned twice (an environment and a team of the same name)', () => {
    const issues = issuesOf({ topics: { environments: ['billing'], teams: ['billing'] } });
    expect(issues[0]).toMatchObject({
      path: 'topics.teams[0]',
      message: expect.stringContaining(
        'vmware.events.billing is planned twice: by topics.environments[0] and by topics.teams[0]',
      ),
    });
  });

  it("rejects names that differ only in '.' and '_' (Kafka's metric names collide)", () => {
    const issues = issuesOf({
      topics: {
        domains: [{ environment: ['dev', 'dev_a'], tenant: ['a_b', 'b'], module: 'm', entity: 'x' }],
      },
    });
    expect(issues.map((i) => i.message).join('\n')).toContain("differ only in '.' and '_'");
  });

  it('rejects invalid names with the path of the entry', () => {
    expect(issuesOf({ topics: { environments: ['ok', 'eu.prod', 'dlq'] } }).map((i) => i.path)).toEqual([
      'topics.environments[1]',
      'topics.environments[2]',
    ]);
  });

  it('rejects unknown keys, wrong types and typed configs written as raw config', () => {
    const issues = issuesOf({
      defaults: { partitions: 0, retention: '7d', config: { 'retention.ms': 1, 'Bad Name': 'x' } },
      topics: { canonical: true, environment: ['prod'] },
    });
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(text).toContain('defaults.partitions: partitions must be at least 1');
    expect(text).toContain('defaults');
    expect(text).toContain("set 'retention.ms' with the setting 'retentionMs'");
    expect(text).toContain("'Bad Name' is not a Kafka topic config name");
    expect(text).toContain('topics: Unrecognized key: "environment"');
  });

  it('rejects a plan without topics, and a future plan format', () => {
    expect(issuesOf({})).toEqual([
      { path: 'topics', message: expect.stringContaining('topics is required') },
    ]);
    expect(issuesOf({ version: 2, topics: {} })[0]).toMatchObject({
      path: 'version',
      message: expect.stringContaining('version must be 1'),
    });
  });
});

describe('parseTopicPlanText', () => {
  it('reads YAML and JSON by the file extension', () => {
    const yaml = parseTopicPlanText('topics:\n  environments: [prod]\n', 'topics.yaml');
    const json = parseTopicPlanText('{"topics":{"environments":["prod"]}}', 'topics.json');
    expect(yaml.topics.map((t) => t.name)).toEqual(json.topics.map((t) => t.name));
  });

  it('names the file and the syntax error', () => {
    expect(() => parseTopicPlanText('{"topics": ', 'plan.json')).toThrow(
      /The topic plan plan\.json is invalid:[\s\S]*not valid JSON/,
    );
    expect(() => parseTopicPlanText('topics: [a\n', 'plan.yaml')).toThrow(/not valid YAML/);
    expect(() => parseTopicPlanText('a: 1\na: 2\n', 'plan.yaml')).toThrow(/not valid YAML/);
    expect(() => parseTopicPlanText('', 'plan.yaml')).toThrow(/the file is empty/);
  });
});
