/** The topic plan on the three-node cluster (scripts/kafka-cluster.sh): the SDK's replicated defaults hold there. */
import { describe, expect, it } from 'vitest';
import { applyTopicPlan, defineTopicPlan, planTopics } from '@org/vmware-events-cli';
import type { TopicPlanInput } from '@org/vmware-events-cli';
import { CLUSTER_BROKERS } from '../../../../test/cluster.js';
import { MANAGED, createAdmin, describeTopic, names, uniqueName } from '../integration/helpers.js';

describe('topic plan on the three-node cluster', () => {
  it('creates topics with three replicas and min.insync.replicas 2, then finds them in sync', async () => {
    const { admin, cleanup } = await createAdmin(CLUSTER_BROKERS);
    const env = uniqueName('env');
    const input: TopicPlanInput = { defaults: { partitions: 3 }, topics: { environments: [env] } }; // SDK defaults: 3 replicas, min ISR 2
    names(input).forEach((t) => cleanup.add(t));
    const plan = defineTopicPlan(input);
    const result = await applyTopicPlan(admin, plan);
    expect(result.before.brokers).toBeGreaterThanOrEqual(3);
    for (const topic of names(input)) {
      expect(await describeTopic(admin, topic, MANAGED)).toMatchObject({
        partitions: 3,
        replicas: [3],
        configs: { 'min.insync.replicas': '2' },
      });
    }
    expect((await planTopics(admin, plan)).hasChanges).toBe(false);
  });
});
