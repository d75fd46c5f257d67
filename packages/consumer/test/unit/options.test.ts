import { describe, expect, it } from 'vitest';
import { createConsumer, createTestPipeline, isConsumerError } from '@org/vmware-events-consumer';
import type { ConsumerOptions, ConsumerOptionsError, EventStore, Logger } from '@org/vmware-events-consumer';

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

describe('consumer options: one strict schema', () => {
  it('names unknown options, and says what replaced the old store options', () => {
    let error: unknown;
    try {
      createConsumer({ ...base, dedup: {}, sequences: false, colour: 'blue' } as unknown as ConsumerOptions);
    } catch (e) {
      error = e;
    }
    expect(isConsumerError(error, 'INVALID_OPTIONS')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('"dedup" (use \'store\'');
    expect(message).toContain('"sequences" (use \'store\'');
    expect(message).toContain('"colour"');
    expect((error as ConsumerOptionsError).issues).toHaveLength(1);
  });

  it('checks the values inside nested options and never echoes them', () => {
    let error: unknown;
    try {
      createConsumer({
        ...base,
        concurrency: { partitions: 0 },
        filter: { tenants: 'tenantA' as unknown as string[] },
        store: { begin: () => undefined } as unknown as EventStore,
        logger: { info: () => undefined } as unknown as Logger,
      });
    } catch (e) {
      error = e;
    }
    const paths = (error as ConsumerOptionsError).issues.map((issue) => issue.path);
    expect(paths).toEqual(['filter.tenants', 'store', 'logger', 'concurrency.partitions']);
    expect((error as Error).message).not.toContain('tenantA');
  });

  it('the test pipeline takes the same pipeline options, checked the same way', () => {
    expect(() =>
      createTestPipeline({ handler: () => undefined, leaseMs: -1, groupId: 'g' } as never),
    ).toThrow(/leaseMs must be greater than 0[\s\S]*unknown option\(s\) "groupId"/);
  });
});
