import { z } from 'zod';
import { VmwEventsError, isKeyStrategy } from '@org/vmware-events-schema';
import type { KeyStrategy, VmOperationEvent } from '@org/vmware-events-schema';
import type { Kafka, KafkaConfig } from 'kafkajs';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { EventFilter } from './pipeline.js';
import type { DedupStore } from './stores/dedup.js';
import type { SequenceStore } from './stores/sequence.js';
import type { EventHandler, Logger } from './types.js';

const positiveInt = z.number().int().positive();

const numbers = z
  .object({
    maxAttempts: positiveInt.default(5),
    initialDelayMs: z.number().nonnegative().default(200),
    multiplier: z.number().min(1).default(2),
    maxDelayMs: z.number().nonnegative().default(30_000),
    jitter: z.number().min(0).max(1).default(0.5),
    leaseMs: positiveInt.default(60_000),
    partitionsConcurrently: positiveInt.default(1),
    keysConcurrently: positiveInt.default(1),
    commitIntervalMs: z.number().int().nonnegative().default(1_000),
    sessionTimeoutMs: positiveInt.default(30_000),
    heartbeatIntervalMs: positiveInt.default(3_000),
    dependencyBackoffMs: positiveInt.default(2_000),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.heartbeatIntervalMs >= v.sessionTimeoutMs) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: ['heartbeatIntervalMs'],
        message: 'heartbeatIntervalMs must be lower than sessionTimeoutMs',
      });
    }
    if (v.initialDelayMs > v.maxDelayMs) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: ['retry', 'initialDelayMs'],
        message: 'retry.initialDelayMs must not exceed retry.maxDelayMs',
      });
    }
  });

/** Options of {@link createConsumer}. */
export interface ConsumerOptions<TEvent = VmOperationEvent> {
  /** A kafkajs `Kafka` instance you own, or the config to create one (`{ brokers: ['127.0.0.1:9092'] }`). */
  kafka: Kafka | KafkaConfig;
  /** Consumer group id. */
  groupId: string;
  /** Topics to read (e.g. `['vmware.events']`). */
  topics: string[];
  /** Start from the earliest offset when the group has no committed offset. Default false. */
  fromBeginning?: boolean;
  /** The team's handler. */
  handler: EventHandler<TEvent>;
  /** Header filter (tenant / environment / operation), applied before parsing. */
  filter?: EventFilter;
  /** Key strategy the producers use; when it carries the tenant (or is `hash`), the key is checked too. */
  keyStrategy?: KeyStrategy;
  /** Dedup store. Default: an in-memory LRU (100 000 ids, 24 h). */
  dedup?: DedupStore;
  /** Stale-event store, or `false` to turn the stale check off. Default: in memory. */
  sequences?: SequenceStore | false;
  /** Handler retries. */
  retry?: {
    /** Total calls including the first. Default 5. */
    maxAttempts?: number;
    /** First retry delay, ms. Default 200. */
    initialDelayMs?: number;
    /** Growth per retry. Default 2. */
    multiplier?: number;
    /** Largest delay, ms. Default 30 000. */
    maxDelayMs?: number;
    /** Share of the delay that is random (0–1). Default 0.5. */
    jitter?: number;
  };
  /** Decide whether a handler error skips retries. Default {@link isFatalByDefault}. */
  isFatal?: (error: unknown) => boolean;
  /** Dead-letter topic of a source topic. Default `<topic>.dlq`. */
  deadLetterTopic?: (topic: string) => string;
  /** Dedup lease while a handler runs, ms (renewed between retries). Default 60 000. */
  leaseMs?: number;
  /** Concurrency: partitions in parallel (default 1) and keys in parallel within a partition (default 1 = in order). */
  concurrency?: { partitions?: number; keysPerPartition?: number };
  /** Circuit breaker over handler calls; `false` to turn it off. Default on with its defaults. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Commit resolved offsets at least this often while a batch runs, ms (and always at its end). Default 1000. */
  commitIntervalMs?: number;
  /** Group session timeout, ms. Default 30 000. */
  sessionTimeoutMs?: number;
  /** Heartbeat interval, ms (also the longest sleep between heartbeats during retries). Default 3000. */
  heartbeatIntervalMs?: number;
  /** How long a partition pauses when the dead-letter topic or a store is unavailable, ms. Default 2000. */
  dependencyBackoffMs?: number;
  /** Bytes → validated event. Default: the schema package's `parseVmOperationEvent`. */
  decode?: (value: Buffer | null) => TEvent;
  /** Logger; nothing is logged without one. Event data and credentials are never logged. */
  logger?: Logger;
}

/** Options after defaults and checks. */
export interface ResolvedNumbers {
  retry: {
    maxAttempts: number;
    initialDelayMs: number;
    multiplier: number;
    maxDelayMs: number;
    jitter: number;
  };
  leaseMs: number;
  partitionsConcurrently: number;
  keysConcurrently: number;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  dependencyBackoffMs: number;
}

/** Check the options and fill in defaults; throws an `INVALID_OPTIONS` error naming every bad option. */
export function resolveConsumerNumbers<TEvent>(options: ConsumerOptions<TEvent>): ResolvedNumbers {
  const problems: string[] = [];
  if (typeof options.groupId !== 'string' || options.groupId === '')
    problems.push('groupId must be a non-empty string');
  if (!Array.isArray(options.topics) || options.topics.length === 0)
    problems.push('topics must list at least one topic');
  if (typeof options.handler !== 'function') problems.push('handler must be a function');
  if (options.keyStrategy !== undefined && !isKeyStrategy(options.keyStrategy)) {
    problems.push(`keyStrategy '${String(options.keyStrategy)}' is not a key strategy`);
  }
  const parsed = numbers.safeParse({
    ...options.retry,
    leaseMs: options.leaseMs,
    partitionsConcurrently: options.concurrency?.partitions,
    keysConcurrently: options.concurrency?.keysPerPartition,
    commitIntervalMs: options.commitIntervalMs,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    dependencyBackoffMs: options.dependencyBackoffMs,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new VmwEventsError('INVALID_OPTIONS', `Invalid consumer options:\n  - ${problems.join('\n  - ')}`);
  }
  const v = parsed.data;
  return {
    retry: {
      maxAttempts: v.maxAttempts,
      initialDelayMs: v.initialDelayMs,
      multiplier: v.multiplier,
      maxDelayMs: v.maxDelayMs,
      jitter: v.jitter,
    },
    leaseMs: v.leaseMs,
    partitionsConcurrently: v.partitionsConcurrently,
    keysConcurrently: v.keysConcurrently,
    commitIntervalMs: v.commitIntervalMs,
    sessionTimeoutMs: v.sessionTimeoutMs,
    heartbeatIntervalMs: v.heartbeatIntervalMs,
    dependencyBackoffMs: v.dependencyBackoffMs,
  };
}
