import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { applyTopicPlan, defineTopicPlan, isTopicApplyError, planTopics } from '@org/vmware-events-cli';
import type { TopicPlanInput } from '@org/vmware-events-cli';
import { MANAGED, createAdmin, describeTopic, names, uniqueName } from './helpers.js';

const single = { replicationFactor: 1, minInsyncReplicas: 1 } as const;
describe('topic plan on the real broker', () => {
  it('creates every planned topic with its settings, and a second apply changes nothing', async () => {
    const { admin, cleanup } = await createAdmin();
    const env = uniqueName('env');
    const input: TopicPlanInput = {
      defaults: { ...single, partitions: 3, retentionMs: 86_400_000, config: { 'compression.type': 'zstd' } },
      deadLetter: { partitions: 1, retentionMs: 2_419_200_000 },
      topics: { environments: [env] },
    };
    const plan = defineTopicPlan(input);
    names(input).forEach((t) => cleanup.add(t));

    const before = await planTopics(admin, plan);
    expect(before.entries.map((e) => [e.topic.name, e.status])).toEqual([
      [`vmware.events.${env}`, 'create'],
      [`vmware.events.${env}.dlq`, 'create'],
      [`vmware.events.${env}.raw`, 'create'],
    ]);
    expect(before.hasProblems).toBe(false);

    const result = await applyTopicPlan(admin, plan);
    expect(result.applied.map((c) => [c.topic, c.action.type, c.done])).toEqual([
      [`vmware.events.${env}`, 'create', true],
      [`vmware.events.${env}.dlq`, 'create', true],
      [`vmware.events.${env}.raw`, 'create', true],
    ]);
    expect(result.after.hasChanges).toBe(false);

    // Checked with plain kafkajs calls, not with the plan's own reader.
    expect(await describeTopic(admin, `vmware.events.${env}`, MANAGED)).toMatchObject({
      partitions: 3,
      replicas: [1],
      configs: {
        'retention.ms': '86400000',
        'cleanup.policy': 'delete',
        'min.insync.replicas': '1',
        'compression.type': 'zstd',
        'max.message.bytes': '1048588',
      },
    });
    expect(await describeTopic(admin, `vmware.events.${env}.dlq`, MANAGED)).toMatchObject({
      partitions: 1,
      configs: { 'retention.ms': '2419200000', 'compression.type': 'zstd' },
    });

    const again = await applyTopicPlan(admin, plan);
    expect(again.applied).toEqual([]);
    expect(again.before.counts).toEqual({ create: 0, change: 0, inSync: 3, problems: 0 });
  });

  it('raises partitions and changes configs in place, keeping topic configs the plan does not manage', async () => {
    const { admin, cleanup } = await createAdmin();
    const team = uniqueName('team');
    const topic = `vmware.events.${team}`;
    cleanup.add(topic);
    const base = {
      defaults: { ...single, partitions: 2 },
      topics: { teams: [{ name: team, deadLetter: false, raw: false }] },
    };
    await applyTopicPlan(admin, defineTopicPlan(base));
    // Someone set segment.ms on the topic by hand; a config change must not reset it (AlterConfigs is not incremental).
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'segment.ms', value: '3600000' },
            { name: 'retention.ms', value: '604800000' },
            { name: 'min.insync.replicas', value: '1' },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'max.message.bytes', value: '1048588' },
          ],
        },
      ],
    });

    const changed = defineTopicPlan({
      ...base,
      defaults: {
        ...base.defaults,
        partitions: 4,
        retentionMs: 172_800_000,
        cleanupPolicy: 'compact,delete',
      },
    });
    const plan = await planTopics(admin, changed);
    expect(plan.entries[0]!.actions).toEqual([
      { type: 'add-partitions', from: 2, to: 4 },
      {
        type: 'alter-configs',
        changes: [
          { name: 'retention.ms', from: '604800000', to: '172800000' },
          { name: 'cleanup.policy', from: 'delete', to: 'compact,delete' },
        ],
      },
    ]);
    await applyTopicPlan(admin, changed);
    expect(await describeTopic(admin, topic, MANAGED)).toMatchObject({
      partitions: 4,
      configs: { 'retention.ms': '172800000', 'cleanup.policy': 'compact,delete', 'segment.ms': '3600000' },
    });
    expect((await planTopics(admin, changed)).hasChanges).toBe(false);
  });

  it('never lowers partitions: a plan asking for fewer leaves the topic as it is and says why', async () => {
    const { admin, cleanup } = await createAdmin();
    const env = uniqueName('env');
    const entry = { name: env, deadLetter: false, raw: false } as const;
    cleanup.add(`vmware.events.${env}`);
    await applyTopicPlan(
      admin,
      defineTopicPlan({ defaults: { ...single, partitions: 4 }, topics: { environments: [entry] } }),
    );

    const fewer = defineTopicPlan({
      defaults: { ...single, partitions: 2 },
      topics: { environments: [entry] },
    });
    const result = await applyTopicPlan(admin, fewer);
    expect(result.applied).toEqual([]);
    expect(result.before.entries[0]!.notes.join()).toContain('keeps 4 partitions (plan: 2)');
    expect((await describeTopic(admin, `vmware.events.${env}`, [])).partitions).toBe(4);
  });

  it('refuses to apply a plan with problems and changes nothing, naming each problem', async () => {
    const { admin, cleanup } = await createAdmin();
    const env = uniqueName('env');
    const input: TopicPlanInput = {
      defaults: { replicationFactor: 1, minInsyncReplicas: 1 },
      topics: {
        environments: [
          { name: env, deadLetter: false, raw: false },
          // more replicas than this broker can hold
          { name: `${env}-rf`, replicationFactor: 3, minInsyncReplicas: 2, deadLetter: false, raw: false },
          // a value the broker rejects, and a config name it does not know
          { name: `${env}-bad`, config: { 'compression.type': 'bogus' }, deadLetter: false, raw: false },
          { name: `${env}-typo`, config: { 'retention.mss': '1' }, deadLetter: false, raw: false },
        ],
      },
    };
    names(input).forEach((t) => cleanup.add(t));
    const plan = defineTopicPlan(input);

    const result = await planTopics(admin, plan);
    const problems = Object.fromEntries(result.entries.map((e) => [e.topic.name, e.problems.join(' | ')]));
    expect(problems[`vmware.events.${env}`]).toBe('');
    expect(problems[`vmware.events.${env}-rf`]).toContain(
      'replication factor 3 needs at least 3 brokers; the cluster has 1',
    );
    expect(problems[`vmware.events.${env}-bad`]).toContain(
      'the broker rejects "create with 6 partitions, replication factor 1": INVALID_CONFIG',
    );
    expect(problems[`vmware.events.${env}-typo`]).toContain(
      "the broker has no topic config named 'retention.mss'",
    );

    const error = await applyTopicPlan(admin, plan).catch((e: unknown) => e);
    expect(isTopicApplyError(error)).toBe(true);
    expect((error as Error).message).toContain('Nothing was changed: the plan has problems on 3 topics');
    const existing = new Set(await admin.listTopics());
    expect(names(input).filter((t) => existing.has(t))).toEqual([]);
  });

  it('creates seed-002 domain topics and their dead-letter topics', async () => {
    const { admin, cleanup } = await createAdmin();
    const env = uniqueName('bugfest');
    const input: TopicPlanInput = {
      defaults: { ...single, partitions: 1 },
      topics: {
        domains: [
          {
            environment: env,
            tenant: ['fs09000000', 'diku'],
            module: 'inventory-storage',
            entity: 'instance',
          },
        ],
      },
    };
    names(input).forEach((t) => cleanup.add(t));
    await applyTopicPlan(admin, defineTopicPlan(input));
    const existing = new Set(await admin.listTopics());
    expect(
      [
        `${env}.fs09000000.inventory.instance`,
        `${env}.fs09000000.inventory.instance.dlq`,
        `${env}.diku.inventory.instance`,
        `${env}.diku.inventory.instance.dlq`,
      ].every((t) => existing.has(t)),
    ).toBe(true);
  });
});
