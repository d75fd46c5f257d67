/**
 * The consumer: its lifecycle (start, close) and the kafkajs side — the group consumer with manual commits, the
 * dead-letter producer, the dead-letter topics' check, the circuit breaker's pause and resume, and the batches.
 * What happens to a record is the pipeline's (internal/pipeline.ts), set up by internal/setup.ts exactly as for
 * `createTestPipeline`.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { ConsumerError, isConsumerError } from './errors.js';
import { parseConsumerOptions } from './options.js';
import type { ConsumerOptions } from './options.js';
import { commitBatch } from './internal/commits.js';
import type { CommitHealth } from './internal/commits.js';
import { OffsetTracker } from './internal/offset-tracker.js';
import { processRecord } from './internal/pipeline.js';
import { createPipeline } from './internal/setup.js';
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
 *
 * @throws ConsumerOptionsError naming every bad option.
 */
export function createConsumer<TEvent = VmOperationEvent>(
  options: ConsumerOptions<TEvent>,
): VmwEventsConsumer {
  const settings = parseConsumerOptions(options);
  const kafka =
    settings.kafka instanceof Kafka
      ? settings.kafka
      : new Kafka({ logLevel: logLevel.NOTHING, ...settings.kafka });
  const logger = settings.logger;
  const closing = new AbortController();
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let startPromise: Promise<void> | undefined;
  let closePromise: Promise<void> | undefined;

  const pipeline = createPipeline(settings, {
    groupId: settings.groupId,
    heartbeatEveryMs: settings.heartbeatIntervalMs,
    sendDeadLetter: async (topic, record) => {
      if (!producer) throw new ConsumerError('CONSUMER_CLOSED', 'Dead-letter producer is not connected');
      await producer.send({ topic, acks: -1, messages: [record] });
    },
  });
  const { deps } = pipeline;
  const emit = deps.emit;
  const timers = new Set<NodeJS.Timeout>();
  const commitHealth: CommitHealth = { failures: 0, lastSuccess: Date.now() };

  const subscribed = () => settings.topics.map((topic) => ({ topic }));
  deps.breaker?.onStateChange((state, failureRate) => {
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

    // A failed commit in the batch is reported and retried at the next one; at the end of the batch it is rethrown.
    const commit = async (final = false) => {
      lastCommit = Date.now();
      await commitBatch(payload, commitHealth, { emit, logger, final });
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

    if (settings.concurrency.keysPerPartition === 1) {
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
      await Promise.all(
        Array.from({ length: Math.min(settings.concurrency.keysPerPartition, queue.length) }, worker),
      );
    }

    await commit(true);
    if (!failure) return;
    const { error, record } = failure;
    if (isConsumerError(error, 'CONSUMER_CLOSED')) return;
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
      const missing = [...new Set(settings.topics.map((topic) => deps.deadLetterTopic(topic)))].filter(
        (t) => !existing.has(t),
      );
      if (missing.length > 0) {
        throw new ConsumerError(
          'CONSUMER_DEAD_LETTER_FAILED',
          `Dead-letter topic(s) ${missing.map((t) => `'${t}'`).join(', ')} do not exist; create them before starting the consumer, e.g. from a topic plan with \`vmware-events topics apply --file topics.yaml\` (@org/vmware-events-cli, docs/topics.md)`,
        );
      }
    } finally {
      await admin.disconnect();
    }
  };

  const doStart = async () => {
    await verifyDeadLetterTopics();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const groupConsumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
    });
    consumer = groupConsumer;
    groupConsumer.on(groupConsumer.events.GROUP_JOIN, ({ payload }) => {
      emit('consumer:group-join', { memberId: payload.memberId, assignment: payload.memberAssignment });
    });
    // kafkajs stops its consumer after an error and (for retriable ones) starts it again by itself: say so.
    groupConsumer.on(groupConsumer.events.CRASH, ({ payload }) => {
      emit('consumer:client-restart', { error: payload.error, restart: payload.restart });
      logger?.error(
        payload.restart
          ? 'the Kafka client stopped its consumer after an error and restarts it (rejoins, re-reads from the committed offsets)'
          : 'the Kafka client stopped its consumer after an error and does not restart it; close and start the consumer again',
        { error: `${payload.error.name}: ${payload.error.message}`, restart: payload.restart },
      );
    });
    await producer.connect();
    await groupConsumer.connect();
    await groupConsumer.subscribe({ topics: settings.topics, fromBeginning: settings.fromBeginning });
    await groupConsumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.concurrency.partitions,
      eachBatch,
    });
    logger?.info('consumer started', { groupId: settings.groupId, topics: settings.topics });
  };

  const doClose = async () => {
    closing.abort();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (startPromise) await startPromise.catch(() => undefined);
    // kafkajs waits for the running batches (which stop after their in-flight records and commit), then leaves the group.
    await consumer?.disconnect();
    await producer?.disconnect();
    await pipeline.close();
    logger?.info('consumer closed', { groupId: settings.groupId });
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
    on: (name, listener) => pipeline.on(name, listener),
    metrics: () => pipeline.metrics(),
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
