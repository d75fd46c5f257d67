/**
 * Consumer options: one strict zod schema with its defaults, parsed once by `createConsumer` (and, with the test
 * defaults, by `createTestPipeline`). Callers write {@link ConsumerOptions}; the consumer works with the parsed
 * {@link ResolvedConsumerOptions}. Unknown options are named, every bad option is reported in one
 * {@link ConsumerOptionsError}, and the caller's object is never modified.
 */
import { z } from 'zod';
import { KEY_STRATEGIES } from '@org/vmware-events-schema';
import type { KeyStrategy, VmOperationEvent } from '@org/vmware-events-schema';
import { Kafka } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import { ConsumerOptionsError } from './errors.js';
import type { EventStore } from './stores/event-store.js';
import type { EventFilter, EventHandler, Logger } from './types.js';

const positiveInt = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be greater than 0' });
const nonNegative = z.number({ error: 'must be a number' }).nonnegative({ error: 'must not be negative' });
const nonNegativeInt = nonNegative.int({ error: 'must be a whole number' });

function fn<TFunction>(description: string) {
  return z.custom<TFunction>((value) => typeof value === 'function', `must be a function (${description})`);
}

function objectWith<TObject>(methods: readonly string[], what: string) {
  return z.custom<TObject>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    `must be ${what} (an object with ${methods.join(', ')})`,
  );
}

const strings = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' });

const retry = z.strictObject({
  /** Total handler calls, the first included. */
  maxAttempts: positiveInt.default(5),
  /** First retry delay, ms. */
  initialDelayMs: nonNegative.default(200),
  /** Growth per retry. */
  multiplier: z.number({ error: 'must be a number' }).min(1, { error: 'must be at least 1' }).default(2),
  /** Largest delay, ms. */
  maxDelayMs: nonNegative.default(30_000),
  /** Share of the delay that is random (0–1). */
  jitter: z
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be between 0 and 1' })
    .max(1, { error: 'must be between 0 and 1' })
    .default(0.5),
});

const circuitBreaker = z.strictObject({
  failureRateThreshold: z.number().min(0).max(1).optional(),
  windowSize: positiveInt.optional(),
  minimumCalls: positiveInt.optional(),
  openMs: positiveInt.optional(),
  now: fn<() => number>('a clock').optional(),
});

/**
 * The options the pipeline itself takes (what happens to each record), shared by `createConsumer` and
 * `createTestPipeline`.
 */
const pipelineShape = {
  /** The team's handler. */
  handler: fn<EventHandler<unknown>>('the handler, called once per event'),
  /** Header filter (tenant / environment / operation), applied before parsing. */
  filter: z
    .strictObject({
      tenants: strings.optional(),
      environments: strings.optional(),
      operations: strings.optional(),
    })
    .default({}),
  /** Key strategy the producers use; when it carries the tenant (or is `hash`), the key is checked too. */
  keyStrategy: z
    .enum(KEY_STRATEGIES, { error: `must be one of ${KEY_STRATEGIES.map((s) => `'${s}'`).join(', ')}` })
    .optional(),
  /** Where processed events and VM positions are kept. Default: in memory. */
  store: objectWith<EventStore>(
    ['begin', 'renew', 'finish', 'release', 'close'],
    'an event store',
  ).optional(),
  /** Discard events older than the last one processed for their VM (by vCenter event key). Default true. */
  staleCheck: z.boolean({ error: 'must be true or false' }).default(true),
  /** Handler retries. */
  retry: retry.default(() => retry.parse({})),
  /** Decide whether a handler error skips retries. */
  isFatal: fn<(error: unknown) => boolean>('error → true when retrying cannot help').optional(),
  /** Dead-letter topic of a source topic. */
  deadLetterTopic: fn<(topic: string) => string>('source topic → dead-letter topic').optional(),
  /** Dedup lease while a handler runs, ms (renewed between retries). */
  leaseMs: positiveInt.default(60_000),
  /** Circuit breaker over handler calls; `false` to turn it off. */
  circuitBreaker: z.union([z.literal(false), circuitBreaker]).default({}),
  /** Bytes → validated event. */
  decode: fn<(value: Buffer | null) => unknown>('record value → validated event').optional(),
  /** Where log lines go. */
  logger: objectWith<Logger>(['debug', 'info', 'warn', 'error'], 'a logger').optional(),
};

/** Options renamed or replaced, so that their unknown-key message says what to write instead. */
const REPLACED: Record<string, string> = {
  dedup: "use 'store' (createMemoryEventStore or createRedisEventStore keep both dedup and positions)",
  sequences: "use 'store' for where positions are kept, 'staleCheck: false' to turn the stale check off",
};

/** The option schema of `createConsumer` (exported for documentation and tests). */
export const consumerOptionsSchema = z
  .strictObject({
    /** A kafkajs `Kafka` instance you own, or the config to create one (`{ brokers: ['127.0.0.1:9092'] }`). */
    kafka: z.custom<Kafka | KafkaConfig>(
      (value) => value instanceof Kafka || (typeof value === 'object' && value !== null),
      'must be a kafkajs Kafka instance or its config ({ brokers: [...] })',
    ),
    /** Consumer group id. */
    groupId: z
      .string({ error: 'must be a non-empty string' })
      .min(1, { error: 'must be a non-empty string' }),
    /** Topics to read. */
    topics: strings.min(1, { error: 'must list at least one topic' }),
    /** Start from the earliest offset when the group has no committed offset. */
    fromBeginning: z.boolean({ error: 'must be true or false' }).default(false),
    ...pipelineShape,
    /** Partitions in parallel, and keys in parallel within a partition (1 = in order). */
    concurrency: z
      .strictObject({ partitions: positiveInt.default(1), keysPerPartition: positiveInt.default(1) })
      .default({ partitions: 1, keysPerPartition: 1 }),
    /** Commit resolved offsets at least this often while a batch runs, ms (and always at its end). */
    commitIntervalMs: nonNegativeInt.default(1_000),
    /** Group session timeout, ms. */
    sessionTimeoutMs: positiveInt.default(30_000),
    /** Heartbeat interval, ms (also the longest sleep between heartbeats during retries). */
    heartbeatIntervalMs: positiveInt.default(3_000),
    /** How long a partition pauses when the dead-letter topic or a store is unavailable, ms. */
    dependencyBackoffMs: positiveInt.default(2_000),
  })
  .check((ctx) => {
    const { heartbeatIntervalMs, sessionTimeoutMs, retry: r } = ctx.value;
    if (typeof heartbeatIntervalMs === 'number' && heartbeatIntervalMs >= sessionTimeoutMs) {
      ctx.issues.push({
        code: 'custom',
        input: heartbeatIntervalMs,
        path: ['heartbeatIntervalMs'],
        message: 'must be lower than sessionTimeoutMs',
      });
    }
    checkRetry(ctx, r);
  });

/** The option schema of `createTestPipeline`: the pipeline's options (exported for documentation and tests). */
export const testPipelineOptionsSchema = z.strictObject(pipelineShape).check((ctx) => {
  checkRetry(ctx, ctx.value.retry);
});

function checkRetry(
  ctx: { issues: z.core.$ZodRawIssue[] },
  r: { initialDelayMs: number; maxDelayMs: number } | undefined,
): void {
  if (r !== undefined && r.initialDelayMs > r.maxDelayMs) {
    ctx.issues.push({
      code: 'custom',
      input: r.initialDelayMs,
      path: ['retry', 'initialDelayMs'],
      message: 'must not exceed retry.maxDelayMs',
    });
  }
}

/** Options of the pipeline, as `createConsumer` and `createTestPipeline` take them. */
export interface PipelineOptions<TEvent = VmOperationEvent> {
  /** The team's handler. */
  handler: EventHandler<TEvent>;
  /** Header filter (tenant / environment / operation), applied before parsing. Absent = every record. */
  filter?: EventFilter;
  /** Key strategy the producers use; when it carries the tenant (or is `hash`), the key is checked too. */
  keyStrategy?: KeyStrategy;
  /** Where processed events and VM positions are kept. Default: in memory (100 000 ids for 24 h, 100 000 VMs). */
  store?: EventStore;
  /** Discard events older than the last one processed for their VM (by vCenter event key). Default true. */
  staleCheck?: boolean;
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
  /** Circuit breaker over handler calls; `false` to turn it off. Default on with its defaults. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Bytes → validated event. Default: the record codec's VM operation event reader. */
  decode?: (value: Buffer | null) => TEvent;
  /** Logger; nothing is logged without one. Event data and credentials are never logged. */
  logger?: Logger;
}

/** Options of {@link createConsumer}. */
export interface ConsumerOptions<TEvent = VmOperationEvent> extends PipelineOptions<TEvent> {
  /** A kafkajs `Kafka` instance you own, or the config to create one (`{ brokers: ['127.0.0.1:9092'] }`). */
  kafka: Kafka | KafkaConfig;
  /** Consumer group id. */
  groupId: string;
  /** Topics to read (e.g. `['vmware.events']`). */
  topics: string[];
  /** Start from the earliest offset when the group has no committed offset. Default false. */
  fromBeginning?: boolean;
  /** Concurrency: partitions in parallel (default 1) and keys in parallel within a partition (default 1 = in order). */
  concurrency?: { partitions?: number; keysPerPartition?: number };
  /** Commit resolved offsets at least this often while a batch runs, ms (and always at its end). Default 1000. */
  commitIntervalMs?: number;
  /** Group session timeout, ms. Default 30 000. */
  sessionTimeoutMs?: number;
  /** Heartbeat interval, ms (also the longest sleep between heartbeats during retries). Default 3000. */
  heartbeatIntervalMs?: number;
  /** How long a partition pauses when the dead-letter topic or a store is unavailable, ms. Default 2000. */
  dependencyBackoffMs?: number;
}

/** The pipeline's options after parsing: defaults filled in. */
export type ResolvedPipelineOptions<TEvent = VmOperationEvent> = Omit<
  z.output<typeof testPipelineOptionsSchema>,
  'handler' | 'decode'
> & {
  handler: EventHandler<TEvent>;
  decode: ((value: Buffer | null) => TEvent) | undefined;
};

/** The consumer's options after parsing: defaults filled in. */
export type ResolvedConsumerOptions<TEvent = VmOperationEvent> = Omit<
  z.output<typeof consumerOptionsSchema>,
  'handler' | 'decode'
> &
  ResolvedPipelineOptions<TEvent>;

/** Parses the consumer's options; throws a {@link ConsumerOptionsError} naming every bad option. */
export function parseConsumerOptions<TEvent>(
  options: ConsumerOptions<TEvent>,
): ResolvedConsumerOptions<TEvent> {
  return parse(consumerOptionsSchema, options, 'consumer') as ResolvedConsumerOptions<TEvent>;
}

/** Parses `createTestPipeline`'s options (after its test defaults); throws a {@link ConsumerOptionsError}. */
export function parsePipelineOptions<TEvent>(
  options: PipelineOptions<TEvent>,
): ResolvedPipelineOptions<TEvent> {
  return parse(testPipelineOptionsSchema, options, 'test pipeline') as ResolvedPipelineOptions<TEvent>;
}

function parse(schema: z.ZodType, options: unknown, what: string): unknown {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  throw new ConsumerOptionsError(
    what,
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message:
        issue.code === 'unrecognized_keys'
          ? `unknown option(s) ${issue.keys.map((k) => `"${k}"${REPLACED[k] ? ` (${REPLACED[k]})` : ''}`).join(', ')}`
          : issue.message,
    })),
  );
}
