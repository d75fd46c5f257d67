import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hasErrorCode } from '@org/vmware-events-schema';
import { kafka, startConsumer } from './helpers.js';

describe('consumer start-up', () => {
  it('refuses to start without its dead-letter topic and points to the topic plan tool', async () => {
    const topic = `test-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    });
    onTestFinished(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    });

    const error = await startConsumer({
      groupId: `g-${randomUUID()}`,
      topics: [topic],
      handler: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasErrorCode(error, 'CONSUMER_DEAD_LETTER_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`Dead-letter topic(s) '${topic}.dlq' do not exist`);
    expect((error as Error).message).toContain('vmware-events topics apply --file');
  });
});
