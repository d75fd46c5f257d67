import { describe, expect, it } from 'vitest';
import { createConsumer } from '@org/vmware-events-consumer';
import type { ConsumerOptions } from '@org/vmware-events-consumer';

const base: ConsumerOptions = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  groupId: 'g',
  topics: ['vmware.events'],
  handler: () => undefined,
};

describe('consumer options', () => {
  it('names every bad option in one INVALID_OPTIONS error', () => {
    expect(() =>
      createConsumer({
        ...base,
        groupId: '',
        topics: [],
        retry: { maxAttempts: 0 },
        heartbeatIntervalMs: 5000,
        sessionTimeoutMs: 3000,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(
          /groupId must be a non-empty string[\s\S]*topics must list at least one topic[\s\S]*maxAttempts[\s\S]*heartbeatIntervalMs must be lower than sessionTimeoutMs/,
        ),
      }),
    );
  });

  it('does not mutate the caller options and creates no connection before start()', () => {
    const options = { ...base, retry: { maxAttempts: 2 } };
    const snapshot = structuredClone({ ...options, handler: undefined });
    const consumer = createConsumer(options);
    expect({ ...options, handler: undefined }).toEqual(snapshot);
    expect(consumer.metrics()).toMatchObject({ processed: 0, deadLettered: 0 });
  });
});
