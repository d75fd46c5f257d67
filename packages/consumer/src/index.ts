// The public API of @org/vmware-events-consumer: named exports only.

// --- the consumer ---
export { createConsumer } from './consumer.js';
export type { VmwEventsConsumer } from './consumer.js';
export type { ConsumerOptions, PipelineOptions } from './options.js';
export type {
  EventContext,
  EventFilter,
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
  ConsumerOptionsError,
  FatalHandlerError,
  isConsumerError,
  isFatalHandlerError,
  isFatalByDefault,
} from './errors.js';
export type { ConsumerErrorCode, OptionIssue } from './errors.js';

// --- stores: the dedup/stale protocol and its implementations ---
export type { EventStore, BeginResult, SequencedEvent } from './stores/event-store.js';
export { createMemoryEventStore } from './stores/memory.js';
export type { MemoryEventStoreOptions } from './stores/memory.js';
export { createRedisEventStore } from './stores/redis.js';
export type {
  RedisClientLike,
  RedisConnection,
  RedisEventStore,
  RedisEventStoreOptions,
} from './stores/redis.js';
export {
  compareEventKeys,
  judgeSequence,
  advanceSequence,
  serializeSequenceState,
} from './stores/sequence.js';
export type { SequenceState, SequencePosition, SequenceVerdict } from './stores/sequence.js';

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

// --- testing helper (also on the `./testing` subpath, with the other test helpers) ---
export { createTestPipeline } from './testing.js';
export type { TestPipeline, TestPipelineOptions, TestDelivery } from './testing.js';
