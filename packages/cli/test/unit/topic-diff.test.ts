import { describe, expect, it } from 'vitest';
import { defineTopicPlan, diffTopicPlan, formatTopicPlan, topicConfigs } from '@org/vmware-events-cli';
import type { ClusterState, ObservedTopic, TopicPlan } from '@org/vmware-events-cli';

// Cluster states are plain data here (what readClusterState returns); the integration tests read real ones.
const plan: TopicPlan = defineTopicPlan({
  defaults: { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 },
  topics: { canonical: { deadLetter: false, raw: false } },
});
const wanted = plan.topics[0]!;

function observed(
  overrides: Partial<Omit<ObservedTopic, 'configs'>> = {},
  configs: Record<string, string> = {},
): ObservedTopic {
  const all = { ...topicConfigs(wanted.settings), 'segment.bytes': '1073741824', ...configs };
  return {
    name: wanted.name,
    partitions: 6,
    replicationFactor: 3,
    ...overrides,
    configs: new Map(
      Object.entries(all).map(([name, value]) => [
        name,
        { value, topicLevel: false, readOnly: false, sensitive: false },
      ]),
    ),
  };
}

const cluster = (topics: ObservedTopic[], brokers = 3, others: string[] = []): ClusterState => ({
  brokers,
  topics: new Map(topics.map((t) => [t.name, t])),
  allTopics: [...topics.map((t) => t.name), ...others],
});

describe('diffTopicPlan', () => {
  it('creates a missing topic with every planned setting', () => {
    const [entry] = diffTopicPlan(plan, cluster([])).entries;
    expect(entry).toMatchObject({ status: 'create', problems: [] });
    expect(entry!.actions).toEqual([
      {
        type: 'create',
        partitions: 6,
        replicationFactor: 3,
        configs: {
          'min.insync.replicas': '2',
          'retention.ms': '604800000',
          'cleanup.policy': 'delete',
          'max.message.bytes': '1048588',
        },
      },
    ]);
  });

  it('reports a topic that matches as in sync, with nothing to do', () => {
    const result = diffTopicPlan(plan, cluster([observed()]));
    expect(result.entries[0]).toMatchObject({ status: 'in-sync', actions: [], notes: [], problems: [] });
    expect(result).toMatchObject({ hasChanges: false, hasProblems: false });
  });

  it('raises partitions and says that keys move', () => {
    const [entry] = diffTopicPlan(plan, cluster([observed({ partitions: 3 })])).entries;
    expect(entry!.actions).toEqual([{ type: 'add-partitions', from: 3, to: 6 }]);
    expect(entry!.notes.join()).toContain('adding partitions moves keys');
  });

  it('never lowers partitions, and says why', () => {
    const [entry] = diffTopicPlan(plan, cluster([observed({ partitions: 12 })])).entries;
    expect(entry).toMatchObject({ status: 'in-sync', actions: [] });
    expect(entry!.notes).toEqual([
      expect.stringContaining('keeps 12 partitions (plan: 6): Kafka cannot remove partitions'),
    ]);
  });

  it('leaves a different replication factor alone, and says how to change it', () => {
    const [entry] = diffTopicPlan(plan, cluster([observed({ replicationFactor: 2 })])).entries;
    expect(entry!.actions).toEqual([]);
    expect(entry!.notes.join()).toContain('replication factor is 2 (plan: 3): apply does not change it');
  });

  it('sets only the configs that differ, from their current value', () => {
    const [entry] = diffTopicPlan(plan, cluster([observed({}, { 'retention.ms': '86400000' })])).entries;
    expect(entry!.actions).toEqual([
      { type: 'alter-configs', changes: [{ name: 'retention.ms', from: '86400000', to: '604800000' }] },
    ]);
  });

  it('compares cleanup.policy lists as sets', () => {
    const compacting = defineTopicPlan({
      defaults: { cleanupPolicy: 'compact,delete' },
      topics: { canonical: { deadLetter: false, raw: false } },
    });
    const topic = observed({}, { 'cleanup.policy': 'delete,compact' });
    expect(diffTopicPlan(compacting, cluster([topic])).entries[0]!.status).toBe('in-sync');
  });

  it('has problems for what apply would fail on: too few brokers, an unknown config, min.insync.replicas above the replicas', () => {
    expect(diffTopicPlan(plan, cluster([], 1)).entries[0]!.problems).toEqual([
      expect.stringContaining('replication factor 3 needs at least 3 brokers; the cluster has 1'),
    ]);
    const withExtra = defineTopicPlan({
      defaults: { partitions: 6, config: { 'retention.mss': '1' } },
      topics: { canonical: { deadLetter: false, raw: false } },
    });
    const topic = observed();
    expect(diffTopicPlan(withExtra, cluster([topic])).entries[0]!.problems.join()).toContain(
      "the broker does not report a topic config named 'retention.mss'",
    );
    const lowReplicas = diffTopicPlan(plan, cluster([observed({ replicationFactor: 1 })]));
    expect(lowReplicas.hasProblems).toBe(true);
    expect(lowReplicas.entries[0]!.problems.join()).toContain(
      "min.insync.replicas 2 would exceed the topic's replication factor 1",
    );
  });

  it("lists existing topics of the plan's namespaces that the plan does not mention, and never plans their deletion", () => {
    const domain = defineTopicPlan({
      defaults: { replicationFactor: 1, minInsyncReplicas: 1 },
      topics: { domains: [{ environment: 'dev', tenant: 't1', module: 'inv', entity: 'item' }] },
    });
    const result = diffTopicPlan(
      domain,
      cluster([], 1, [
        'vmware.events.old',
        'dev.t1.inv.holding',
        'dev.t2.x.y',
        'other',
        '__consumer_offsets',
      ]),
    );
    expect(result.unmanaged).toEqual(['dev.t1.inv.holding', 'vmware.events.old']);
    expect(result.entries.flatMap((e) => e.actions.map((a) => a.type))).toEqual(['create', 'create']);
    expect(formatTopicPlan(result)).toContain(
      'Not in the plan, left alone (apply never deletes a topic): dev.t1.inv.holding, vmware.events.old',
    );
  });
});

describe('formatTopicPlan', () => {
  it('shows each topic with a marker, its changes with durations, notes and the closing verdict', () => {
    const text = formatTopicPlan(
      diffTopicPlan(plan, cluster([observed({ partitions: 3 }, { 'retention.ms': '86400000' })])),
    );
    expect(text).toContain(
      'Topic plan: 1 topic against a cluster of 3 brokers: 0 to create, 1 to change, 0 in sync',
    );
    expect(text).toMatch(/^~ vmware\.events {2}partitions 3 → 6$/m);
    expect(text).toContain('retention.ms 86400000 (1d) → 604800000 (7d)');
    expect(text).toContain('note: adding partitions moves keys');
    expect(text).toContain('apply would make 2 changes.');
  });

  it('says when the cluster matches and when apply would refuse', () => {
    expect(formatTopicPlan(diffTopicPlan(plan, cluster([observed()])))).toContain(
      'The cluster matches the plan.',
    );
    const refused = formatTopicPlan(diffTopicPlan(plan, cluster([], 1)));
    expect(refused).toMatch(/^! vmware\.events/m);
    expect(refused).toContain('apply would refuse to run until the problems are fixed.');
  });
});
