// The public API of @org/vmware-events-consumer: named exports only.

// --- the consumer ---
export { createConsumer } from './consumer.js';
export type { VmwEventsConsumer } from './consumer.js';
export type { ConsumerOptions } from './options.js';
export type {
  EventContext,
  EventHandler,
  RawRecord,
  RecordOutcome,
  DeadLetterReason,
  SkipReason,
  ConsumerEvents,
  ConsumerMetrics,
  Logger,
} from './types.js';

// --- errors ---
export {
  CONSUMER_ERROR_CODES,
  ConsumerError,
  FatalHandlerError,
  isConsumerError,
  isFatalHandlerError,
  isFatalByDefault,
} from './errors.js';
export type { ConsumerErrorCode } from './errors.js';

// --- pipeline stages (pure) ---
export { processRecord, filterRecord, checkTenant, sequenceOf } from './pipeline.js';
export type { EventFilter, PipelineDeps, PipelineRun } from './pipeline.js';
export type { RetryPolicy } from './internal/retry.js';

// --- stores ---
export { createMemoryDedupStore } from './stores/dedup.js';
export type {
  DedupStore,
  ClaimResult,
  MemoryDedupStoreOptions,
  FusedEventStore,
  BeginResult,
  SequencedEvent,
} from './stores/dedup.js';
export {
  createMemorySequenceStore,
  compareEventKeys,
  judgeSequence,
  advanceSequence,
  serializeSequenceState,
} from './stores/sequence.js';
export type {
  SequenceStore,
  SequenceState,
  SequencePosition,
  SequenceVerdict,
  MemorySequenceStoreOptions,
} from './stores/sequence.js';
export { createRedisDedupStore, createRedisSequenceStore } from './stores/redis.js';
export type {
  RedisClientLike,
  RedisConnection,
  RedisDedupStore,
  RedisDedupStoreOptions,
  RedisSequenceStoreOptions,
} from './stores/redis.js';

// --- circuit breaker ---
export { CircuitBreaker } from './circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';

// --- dead-letter records and tools ---
export {
  DLT_HEADERS,
  buildDeadLetterRecord,
  readDeadLetterInfo,
  stripDeadLetterHeaders,
} from './dead-letter.js';
export type { DeadLetterInfo, DeadLetterInput, OutgoingRecord } from './dead-letter.js';
export { listDeadLetters, replayDeadLetters, REPLAYED_FROM_HEADER } from './dead-letter-tools.js';
export type {
  DeadLetterQuery,
  DeadLetterEntry,
  DeadLetterProgress,
  ReplayOptions,
  ReplayResult,
} from './dead-letter-tools.js';

// --- testing helper ---
export { createTestPipeline } from './testing.js';
export type { TestPipeline, TestPipelineOptions, TestDelivery } from './testing.js';
