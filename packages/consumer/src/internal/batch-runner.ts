/**
 * The batch runner: what the consumer does with one kafkajs batch (one partition's records).
 *
 * - Lanes: with `keysPerPartition` 1 the batch is one lane, in offset order; above 1 records are grouped by key
 *   (records of one key stay in order) and up to `keysPerPartition` lanes run at once.
 * - Offsets: a record's offset is resolved only once every record before it has finished (the offset tracker), so
 *   a commit never skips an unfinished record.
 * - Commits: every `commitIntervalMs` between records and once at the end of the batch; a failed one is reported
 *   and, within the batch, left to the next commit (internal/commits.ts).
 * - Failures: a record whose processing rejects (a dependency failed: the dead-letter topic, the store) stops the
 *   batch; what finished is committed, the partition is sought back to the first unfinished record and paused for
 *   `dependencyBackoffMs`. A kafkajs error is rethrown to kafkajs; a closed consumer's is dropped (the record is read
 *   again by whoever takes the partition).
 */
import type { EachBatchPayload } from 'kafkajs';
import { isConsumerError } from '../errors.js';
import type { ConsumerEvents, Logger, RawRecord } from '../types.js';
import { commitBatch } from './commits.js';
import type { CommitHealth } from './commits.js';
import { OffsetTracker } from './offset-tracker.js';
import type { PipelineRun } from './pipeline.js';
import { toRawRecord } from './raw-record.js';

/** What the batch runner needs from the consumer around it. */
export interface BatchRunnerOptions {
  /** Runs one record; rejects only when the offset must not move past it (see `processRecord`). */
  process: (record: RawRecord, run: PipelineRun) => Promise<unknown>;
  /** How many lanes (distinct keys) of one batch run at once. */
  keysPerPartition: number;
  /** The least time between two commits within a batch, ms. */
  commitIntervalMs: number;
  /** How long a partition stays paused after a dependency failed, ms. */
  dependencyBackoffMs: number;
  /** Moves the group consumer's position in a partition (kafkajs `consumer.seek`). */
  seek: (target: { topic: string; partition: number; offset: string }) => void;
  /** Aborted when the consumer closes: no new record starts. */
  signal: AbortSignal;
  emit: <TName extends keyof ConsumerEvents>(name: TName, ...args: ConsumerEvents[TName]) => void;
  logger: Logger | undefined;
}

/** Runs kafkajs batches (see the module comment). */
export interface BatchRunner {
  /** The `eachBatch` of kafkajs `consumer.run` (with `autoCommit` and `eachBatchAutoResolve` off). */
  runBatch: (payload: EachBatchPayload) => Promise<void>;
  /** Cancels the pending resumes of paused partitions (the consumer is closing). */
  cancelResumes: () => void;
}

function isKafkaJsError(error: unknown): boolean {
  return error instanceof Error && error.name.startsWith('KafkaJS');
}

/** Groups records by key, in offset order within a key; the lanes in the order of their first record. */
function lanesByKey(records: readonly RawRecord[]): RawRecord[][] {
  const lanes = new Map<string, RawRecord[]>();
  for (const record of records) {
    const key = record.key === null ? '\u0000' : record.key.toString('latin1');
    const lane = lanes.get(key);
    if (lane) lane.push(record);
    else lanes.set(key, [record]);
  }
  return [...lanes.values()];
}

/** Creates the batch runner of one consumer. */
export function createBatchRunner(options: BatchRunnerOptions): BatchRunner {
  const { emit, logger, signal } = options;
  const timers = new Set<NodeJS.Timeout>();
  // Commits go to the group's coordinator: their health is the consumer's, shared by all its batches.
  const commitHealth: CommitHealth = { failures: 0, lastSuccess: Date.now() };

  const runBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const records = batch.messages.map((message) => toRawRecord(batch.topic, batch.partition, message));
    const tracker = new OffsetTracker(records.map((record) => record.offset));
    let lastCommit = Date.now();
    let failure: { error: unknown; record: RawRecord } | undefined;
    const shouldStop = () =>
      failure !== undefined || signal.aborted || !payload.isRunning() || payload.isStale();

    // A failed commit in the batch is reported and retried at the next one; at the end of the batch it is rethrown
    // (internal/commits.ts).
    const commit = async (final = false) => {
      lastCommit = Date.now();
      await commitBatch(payload, commitHealth, { emit, logger, final });
    };

    const runLane = async (lane: readonly RawRecord[]) => {
      for (const record of lane) {
        if (shouldStop()) return;
        try {
          await options.process(record, { heartbeat, signal });
        } catch (error) {
          failure ??= { error, record };
          return;
        }
        const moved = tracker.done(record.offset);
        if (moved !== undefined) payload.resolveOffset(moved);
        if (Date.now() - lastCommit >= options.commitIntervalMs) await commit();
      }
    };

    if (options.keysPerPartition === 1) {
      await runLane(records);
    } else {
      const queue = lanesByKey(records);
      const worker = async () => {
        for (let lane = queue.shift(); lane; lane = queue.shift()) await runLane(lane);
      };
      await Promise.all(Array.from({ length: Math.min(options.keysPerPartition, queue.length) }, worker));
    }

    await commit(true);
    if (!failure) return;
    const { error, record } = failure;
    if (isConsumerError(error, 'CONSUMER_CLOSED')) return;
    if (isKafkaJsError(error)) throw error;
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
    options.seek({ topic: batch.topic, partition: batch.partition, offset: from });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      resume();
    }, options.dependencyBackoffMs);
    timers.add(timer);
  };

  return {
    runBatch,
    cancelResumes() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
