import { expectTypeOf, test } from 'vitest';
import { createConsumer, createTestPipeline } from '@org/vmware-events-consumer';
import type { BeginResult, EventStore, RecordOutcome, RedisEventStore } from '@org/vmware-events-consumer';
import type { VmOperationEvent } from '@org/vmware-events-schema';

test('the handler receives a typed VmOperationEvent', () => {
  createConsumer({
    kafka: { brokers: ['127.0.0.1:9092'] },
    groupId: 'g',
    topics: ['vmware.events'],
    handler: ({ event, attempt, signal }) => {
      expectTypeOf(event).toEqualTypeOf<VmOperationEvent>();
      expectTypeOf(attempt).toEqualTypeOf<number>();
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
    },
  });
});

test('options reject unknown key strategies and events', () => {
  createConsumer({
    kafka: { brokers: [] },
    groupId: 'g',
    topics: ['t'],
    handler: () => undefined,
    // @ts-expect-error not a key strategy
    keyStrategy: 'vmName',
  });
  const pipeline = createTestPipeline({ handler: () => undefined });
  // @ts-expect-error not a consumer event
  pipeline.on('consumer:nope', () => undefined);
});

test('store answers and outcomes are closed unions', () => {
  expectTypeOf<RecordOutcome['kind']>().toEqualTypeOf<
    'processed' | 'filtered' | 'duplicate' | 'stale' | 'dead-lettered'
  >();
});

test('the store protocol: begin answers a closed union; every step is required, on the Redis store too', () => {
  expectTypeOf<BeginResult['kind']>().toEqualTypeOf<'claimed' | 'duplicate' | 'in-progress' | 'stale'>();
  expectTypeOf<Awaited<ReturnType<EventStore['begin']>>>().toEqualTypeOf<BeginResult>();
  expectTypeOf<EventStore['begin' | 'renew' | 'finish' | 'release' | 'close']>().not.toBeNullable();
  expectTypeOf<RedisEventStore>().toExtend<EventStore>();
  expectTypeOf<RedisEventStore['completionCommand']>().not.toBeNullable();
});
