import { expectTypeOf, test } from 'vitest';
import { createConsumer, createTestPipeline } from '@org/vmware-events-consumer';
import type {
  BeginResult,
  ClaimResult,
  DedupStore,
  FusedEventStore,
  RecordOutcome,
  RedisDedupStore,
} from '@org/vmware-events-consumer';
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

test('dedup claims and outcomes are closed unions', () => {
  expectTypeOf<ClaimResult>().toEqualTypeOf<'claimed' | 'duplicate' | 'in-progress'>();
  expectTypeOf<Awaited<ReturnType<DedupStore['claim']>>>().toEqualTypeOf<ClaimResult>();
  expectTypeOf<RecordOutcome['kind']>().toEqualTypeOf<
    'processed' | 'filtered' | 'duplicate' | 'stale' | 'dead-lettered'
  >();
});

test('fused steps: begin answers a closed union; fuseWith is optional on a DedupStore, present on the Redis one', () => {
  expectTypeOf<BeginResult['kind']>().toEqualTypeOf<'claimed' | 'duplicate' | 'in-progress' | 'stale'>();
  expectTypeOf<Awaited<ReturnType<FusedEventStore['begin']>>>().toEqualTypeOf<BeginResult>();
  expectTypeOf<DedupStore['fuseWith']>().toBeNullable();
  expectTypeOf<RedisDedupStore['fuseWith']>().not.toBeNullable();
});
