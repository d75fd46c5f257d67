import { EventEmitter } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import {
  deadLetterTopic as defaultDeadLetterTopic,
  decodeVmOperationEventValue,
} from '@org/vmware-events-schema';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsumerError, isConsumerError, isFatalByDefault } from './errors.js';
import { resolveConsumerNumbers } from './options.js';
import type { ConsumerOptions } from './options.js';
import { processRecord } from './pipeline.js';
import type { PipelineDeps } from './pipeline.js';
import { createMemoryDedupStore } from './stores/dedup.js';
import { createMemorySequenceStore } from './stores/sequence.js';
import { OffsetTracker } from './internal/offset-tracker.js';
import type { ConsumerEvents, ConsumerMetrics, RawRecord } from './types.js';

/** A running consumer of VMware operation events. */
export interface VmwEventsConsumer {
  /** Connect, join the group and start consuming. Idempotent; resolves once running. */
  start(): Promise<void>;
  /** Finish in-flight work, commit, leave the group and disconnect. Idempotent. */
  close(): Promise<void>;
  /** Listen to a typed consumer event. Returns a function that removes the listener. */
  on<TName extends keyof ConsumerEvents>(
    name: TName,
    listener: (...args: ConsumerEvents[TName]) => void,
  ): () => void;
  /** A snapshot of the counters. */
  metrics(): ConsumerMetrics;
  /** `await using consumer = createConsumer(...)` closes it. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Record shape the pipeline uses, from a kafkajs message. */
export function toRawRecord(topic: string, partition: number, message: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
}

function isKafkaJsError(error: unknown): boolean {
  return error instanceof Error && error.name.startsWith('KafkaJS');
}

/**
 * Create a consumer that runs `handler` once per event, in order per VM, with retries, a dead-letter
 * topic, dedup, stale-event discard, a circuit breaker and manual commits. See docs/consumer.md.
 */
export function createConsumer<TEvent = VmOperationEvent>(
  options: ConsumerOptions<TEvent>,
): VmwEventsConsumer {
  const settings = resolveConsumerNumbers(options);
  const kafka =
    options.kafka instanceof Kafka
      ? options.kafka
      : new Kafka({ logLevel: logLevel.NOTHING, ...options.kafka });
  const logger = options.logger;
  const emitter = new EventEmitter();
  const metrics: ConsumerMetrics = {
    processed: 0,
    duplicate: 0,
    stale: 0,
    filtered: 0,
    retried: 0,
    deadLettered: 0,
    handlerLatency: { count: 0, sumMs: 0, maxMs: 0 },
  };
  const ownedStores: Array<{ close(): Promise<void> }> = [];
  const dedup = options.dedup ?? createMemoryDedupStore();
  if (!options.dedup) ownedStores.push(dedup);
  const sequences = options.sequences === false ? null : (options.sequences ?? createMemorySequenceStore());
  if (options.sequences === undefined && sequences) ownedStores.push(sequences);
  const breaker = options.circuitBreaker === false ? null : new CircuitBreaker(options.circuitBreaker ?? {});
  const closing = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let startPromise: Promise<void> | undefined;
  let closePromise: Promise<void> | undefined;

  const emit = <TName extends keyof ConsumerEvents>(name: TName, ...args: ConsumerEvents[TName]) => {
    emitter.emit(name, ...args);
  };
  // Counters are updated by the first listeners, so a user's listener already sees the new value.
  emitter.on('consumer:processed', () => (metrics.processed += 1));
  emitter.on('consumer:duplicate', () => (metrics.duplicate += 1));
  emitter.on('consumer:stale', () => (metrics.stale += 1));
  emitter.on('consumer:filtered', () => (metrics.filtered += 1));
  emitter.on('consumer:dead-letter', () => (metrics.deadLettered += 1));
  emitter.on('consumer:retry', () => (metrics.retried += 1));
  emitter.on(
    'consumer:handler-latency',
    ({ durationMs, ok }: ConsumerEvents['consumer:handler-latency'][0]) => {
      if (!ok) return;
      metrics.handlerLatency.count += 1;
      metrics.handlerLatency.sumMs += durationMs;
      metrics.handlerLatency.maxMs = Math.max(metrics.handlerLatency.maxMs, durationMs);
    },
  );

  const deps: PipelineDeps<TEvent> = {
    handler: options.handler,
    decode: options.decode ?? (decodeVmOperationEventValue as unknown as (value: Buffer | null) => TEvent),
    dedup,
    sequences,
    filter: options.filter ?? {},
    keyStrategy: options.keyStrategy,
    retry: settings.retry,
    isFatal: options.isFatal ?? isFatalByDefault,
    leaseMs: settings.leaseMs,
    groupId: options.groupId,
    deadLetterTopic: options.deadLetterTopic ?? defaultDeadLetterTopic,
    sendDeadLetter: async (topic, record) => {
      if (!producer) throw new ConsumerError('CONSUMER_CLOSED', 'Dead-letter producer is not connected');
      await producer.send({ topic, acks: -1, messages: [record] });
    },
    breaker,
    emit,
    heartbeatEveryMs: settings.heartbeatIntervalMs,
  };

  const subscribed = () => options.topics.map((topic) => ({ topic }));
  breaker?.onStateChange((state, failureRate) => {
    emit('consumer:circuit', { state, failureRate });
    logger?.warn(`circuit breaker ${state}`, { failureRate });
    if (!consumer) return;
    if (state === 'open') consumer.pause(subscribed());
    else consumer.resume(subscribed());
  });

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const isRunning = () => payload.isRunning();
    const isStale = () => payload.isStale();
    const records = batch.messages.map((message) => toRawRecord(batch.topic, batch.partition, message));
    const tracker = new OffsetTracker(records.map((record) => record.offset));
    let lastCommit = Date.now();
    let failure: { error: unknown; record: RawRecord } | undefined;
    const shouldStop = () => failure !== undefined || closing.signal.aborted || !isRunning() || isStale();

    const commit = async () => {
      lastCommit = Date.now();
      const offsets = payload.uncommittedOffsets();
      if (offsets.topics.length === 0) return;
      await payload.commitOffsetsIfNecessary(offsets);
      for (const { topic, partitions } of offsets.topics) {
        for (const { partition, offset } of partitions) emit('consumer:commit', { topic, partition, offset });
      }
    };

    const runLane = async (lane: RawRecord[]) => {
      for (const record of lane) {
        if (shouldStop()) return;
        try {
          await processRecord(deps, record, { heartbeat, signal: closing.signal });
        } catch (error) {
          failure ??= { error, record };
          return;
        }
        const moved = tracker.done(record.offset);
        if (moved !== undefined) payload.resolveOffset(moved);
        if (Date.now() - lastCommit >= settings.commitIntervalMs) await commit();
      }
    };

    if (settings.keysConcurrently === 1) {
      await runLane(records);
    } else {
      const lanes = new Map<string, RawRecord[]>();
      for (const record of records) {
        const key = record.key === null ? '\u0000' : record.key.toString('latin1');
        const lane = lanes.get(key);
        if (lane) lane.push(record);
        else lanes.set(key, [record]);
      }
      const queue = [...lanes.values()];
      const worker = async () => {
        for (let lane = queue.shift(); lane; lane = queue.shift()) await runLane(lane);
      };
      await Promise.all(Array.from({ length: Math.min(settings.keysConcurrently, queue.length) }, worker));
    }

    await commit();
    if (!failure) return;
    const { error, record } = failure;
    if (isConsumerError(error) && error.code === 'CONSUMER_CLOSED') return;
    if (isKafkaJsError(error) || !consumer) throw error;
    // A dependency (dead-letter topic, store) failed: do not move past the record; re-read it after a pause.
    emit('consumer:error', {
      error,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    });
    logger?.error('dependency failed; partition paused and will re-read the record', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    const from = tracker.firstUnfinished() ?? record.offset;
    consumer.seek({ topic: batch.topic, partition: batch.partition, offset: from });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      resume();
    }, settings.dependencyBackoffMs);
    timers.add(timer);
  };

  const verifyDeadLetterTopics = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...new Set(options.topics.map((topic) => deps.deadLetterTopic(topic)))].filter(
        (t) => !existing.has(t),
      );
      if (missing.length > 0) {
        throw new ConsumerError(
          'CONSUMER_DEAD_LETTER_FAILED',
          `Dead-letter topic(s) ${missing.map((t) => `'${t}'`).join(', ')} do not exist; create them before starting the consumer`,
        );
      }
    } finally {
      await admin.disconnect();
    }
  };

  const doStart = async () => {
    await verifyDeadLetterTopics();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      emit('consumer:group-join', { memberId: payload.memberId, assignment: payload.memberAssignment });
    });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.partitionsConcurrently,
      eachBatch,
    });
    logger?.info('consumer started', { groupId: options.groupId, topics: options.topics });
  };

  const doClose = async () => {
    closing.abort();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (startPromise) await startPromise.catch(() => undefined);
    // kafkajs waits for the running batches (which stop after their in-flight records and commit), then leaves the group.
    await consumer?.disconnect();
    await producer?.disconnect();
    for (const store of ownedStores) await store.close();
    logger?.info('consumer closed', { groupId: options.groupId });
  };

  return {
    start() {
      if (closePromise) return Promise.reject(new ConsumerError('CONSUMER_CLOSED', 'The consumer is closed'));
      startPromise ??= doStart();
      return startPromise;
    },
    close() {
      closePromise ??= doClose();
      return closePromise;
    },
    on(name, listener) {
      emitter.on(name, listener as (...args: unknown[]) => void);
      return () => emitter.off(name, listener as (...args: unknown[]) => void);
    },
    metrics() {
      return { ...metrics, handlerLatency: { ...metrics.handlerLatency } };
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
