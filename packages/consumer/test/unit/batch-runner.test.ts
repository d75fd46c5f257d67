import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EachBatchPayload } from 'kafkajs';
import { ConsumerError } from '../../src/errors.js';
import { createBatchRunner } from '../../src/internal/batch-runner.js';
import type { BatchRunnerOptions } from '../../src/internal/batch-runner.js';
import type { PipelineRun } from '../../src/internal/pipeline.js';
import type { RawRecord } from '../../src/types.js';

const TOPIC = 'vmware.events';
const PARTITION = 3;

/**
 * A fake kafkajs batch payload that keeps the offset bookkeeping kafkajs keeps: the resolved offset, what
 * `uncommittedOffsets()` reports (resolved + 1, until committed) and what was committed.
 */
function fakeBatch(
  messages: Array<{ offset: string; key?: string | null }>,
  state: { running?: () => boolean; stale?: () => boolean } = {},
) {
  const seen = { resolved: [] as string[], commits: [] as string[], heartbeats: 0, pauses: 0, resumes: 0 };
  let resolved: string | undefined;
  let committed: string | undefined;
  const nextOffset = () => (resolved === undefined ? undefined : String(BigInt(resolved) + 1n));
  const payload = {
    batch: {
      topic: TOPIC,
      partition: PARTITION,
      messages: messages.map(({ offset, key = null }) => ({
        offset,
        key: key === null ? null : Buffer.from(key),
        value: Buffer.from(`value ${offset}`),
        headers: {},
        timestamp: '1767323045000',
        attributes: 0,
      })),
    },
    resolveOffset: (offset: string) => {
      resolved = offset;
      seen.resolved.push(offset);
    },
    uncommittedOffsets: () => {
      const next = nextOffset();
      if (next === undefined || next === committed) return { topics: [] };
      return { topics: [{ topic: TOPIC, partitions: [{ partition: PARTITION, offset: next }] }] };
    },
    commitOffsetsIfNecessary: (offsets: { topics: Array<{ partitions: Array<{ offset: string }> }> }) => {
      committed = offsets.topics[0]!.partitions[0]!.offset;
      seen.commits.push(committed);
      return Promise.resolve();
    },
    heartbeat: () => {
      seen.heartbeats += 1;
      return Promise.resolve();
    },
    pause: () => {
      seen.pauses += 1;
      return () => void (seen.resumes += 1);
    },
    isRunning: state.running ?? (() => true),
    isStale: state.stale ?? (() => false),
  };
  return { payload: payload as unknown as EachBatchPayload, seen };
}

/** A `process` whose records finish when the test says so (or at once, when `instant`). */
function controlledProcess(instant: (offset: string) => boolean = () => false) {
  const started: string[] = [];
  const pending = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();
  const process = (record: RawRecord) => {
    started.push(record.offset);
    if (instant(record.offset)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => pending.set(record.offset, { resolve, reject }));
  };
  return {
    process,
    started,
    finish: (offset: string) => pending.get(offset)!.resolve(),
    fail: (offset: string, error: unknown) => pending.get(offset)!.reject(error),
  };
}

/** Lets every promise chain that can move, move. */
async function settle() {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

function runner(overrides: Partial<BatchRunnerOptions> = {}) {
  const events: Array<[string, unknown]> = [];
  const seeks: Array<{ topic: string; partition: number; offset: string }> = [];
  const logged: string[] = [];
  const closing = new AbortController();
  const batchRunner = createBatchRunner({
    process: () => Promise.resolve(),
    keysPerPartition: 1,
    commitIntervalMs: 1_000,
    dependencyBackoffMs: 2_000,
    seek: (target) => void seeks.push(target),
    signal: closing.signal,
    emit: (name, ...args) => void events.push([name, args[0]]),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (message) => void logged.push(message),
    },
    ...overrides,
  });
  return { batchRunner, events, seeks, logged, closing };
}

const eventsNamed = (events: Array<[string, unknown]>, name: string) =>
  events.filter(([n]) => n === name).map(([, payload]) => payload);

describe('batch runner', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs one lane in offset order, resolves each offset and commits once at the end', async () => {
    const processed: RawRecord[] = [];
    const { batchRunner, events } = runner({
      process: (record) => {
        processed.push(record);
        return Promise.resolve();
      },
    });
    const { payload, seen } = fakeBatch([
      { offset: '5', key: 'vm-1' },
      { offset: '6', key: 'vm-2' },
      { offset: '7' },
    ]);
    await batchRunner.runBatch(payload);

    expect(processed.map((r) => r.offset)).toEqual(['5', '6', '7']);
    expect(processed[0]).toEqual({
      topic: TOPIC,
      partition: PARTITION,
      offset: '5',
      key: Buffer.from('vm-1'),
      value: Buffer.from('value 5'),
      headers: {},
      timestamp: '1767323045000',
    });
    expect(processed[2]!.key).toBeNull();
    expect(seen.resolved).toEqual(['5', '6', '7']);
    expect(seen.commits).toEqual(['8']);
    expect(eventsNamed(events, 'consumer:commit')).toEqual([
      { topic: TOPIC, partition: PARTITION, offset: '8' },
    ]);
  });

  it('hands the batch heartbeat and the closing signal to every record', async () => {
    const runs: PipelineRun[] = [];
    const { batchRunner, closing } = runner({
      process: async (_record, run) => {
        runs.push(run);
        await run.heartbeat();
      },
    });
    const { payload, seen } = fakeBatch([{ offset: '0' }, { offset: '1' }]);
    await batchRunner.runBatch(payload);
    expect(seen.heartbeats).toBe(2);
    expect(runs.map((run) => run.signal)).toEqual([closing.signal, closing.signal]);
  });

  it('with one key per partition, starts a record only after the one before it finished', async () => {
    const control = controlledProcess();
    const { batchRunner } = runner({ process: control.process });
    const { payload } = fakeBatch([
      { offset: '0', key: 'a' },
      { offset: '1', key: 'b' },
    ]);
    const done = batchRunner.runBatch(payload);
    await settle();
    expect(control.started).toEqual(['0']);
    control.finish('0');
    await settle();
    expect(control.started).toEqual(['0', '1']);
    control.finish('1');
    await done;
  });

  it('runs keys side by side, each key in order, and never resolves past an unfinished record', async () => {
    const control = controlledProcess();
    const { batchRunner } = runner({ process: control.process, keysPerPartition: 2 });
    const { payload, seen } = fakeBatch([
      { offset: '0', key: 'a' },
      { offset: '1', key: 'b' },
      { offset: '2', key: 'a' },
      { offset: '3', key: 'b' },
    ]);
    const done = batchRunner.runBatch(payload);
    await settle();
    expect(control.started).toEqual(['0', '1']);

    control.finish('1');
    await settle();
    expect(control.started).toEqual(['0', '1', '3']);
    expect(seen.resolved).toEqual([]); // 0 is still running

    control.finish('0');
    await settle();
    expect(control.started).toEqual(['0', '1', '3', '2']);
    expect(seen.resolved).toEqual(['1']);

    control.finish('3');
    await settle();
    expect(seen.resolved).toEqual(['1']); // 2 is still running

    control.finish('2');
    await done;
    expect(seen.resolved).toEqual(['1', '3']);
    expect(seen.commits).toEqual(['4']);
  });

  it('runs no more lanes at once than keysPerPartition', async () => {
    const control = controlledProcess();
    const { batchRunner } = runner({ process: control.process, keysPerPartition: 2 });
    const { payload } = fakeBatch([
      { offset: '0', key: 'a' },
      { offset: '1', key: 'b' },
      { offset: '2', key: 'c' },
    ]);
    const done = batchRunner.runBatch(payload);
    await settle();
    expect(control.started).toEqual(['0', '1']);
    control.finish('1');
    await settle();
    expect(control.started).toEqual(['0', '1', '2']);
    control.finish('0');
    control.finish('2');
    await done;
  });

  it('commits between records once commitIntervalMs has passed since the last commit', async () => {
    const { batchRunner, events } = runner({
      commitIntervalMs: 1_000,
      process: () => {
        vi.advanceTimersByTime(600);
        return Promise.resolve();
      },
    });
    const { payload, seen } = fakeBatch([{ offset: '0' }, { offset: '1' }, { offset: '2' }, { offset: '3' }]);
    await batchRunner.runBatch(payload);
    // after 1 (1.2 s) and after 3 (1.2 s since); nothing is left for the end of the batch
    expect(seen.commits).toEqual(['2', '4']);
    expect(eventsNamed(events, 'consumer:commit')).toHaveLength(2);
  });

  it('commits after every record when commitIntervalMs is 0', async () => {
    const { batchRunner } = runner({ commitIntervalMs: 0 });
    const { payload, seen } = fakeBatch([{ offset: '0' }, { offset: '1' }, { offset: '2' }]);
    await batchRunner.runBatch(payload);
    expect(seen.commits).toEqual(['1', '2', '3']);
  });

  it('stops at a failed dependency: commits what finished, seeks back, pauses and resumes after the backoff', async () => {
    const failure = new Error('store unavailable');
    const processed: string[] = [];
    const { batchRunner, events, seeks, logged } = runner({
      dependencyBackoffMs: 2_000,
      process: (record) => {
        processed.push(record.offset);
        return record.offset === '11' ? Promise.reject(failure) : Promise.resolve();
      },
    });
    const { payload, seen } = fakeBatch([{ offset: '10' }, { offset: '11' }, { offset: '12' }]);
    await batchRunner.runBatch(payload);

    expect(processed).toEqual(['10', '11']);
    expect(seen.resolved).toEqual(['10']);
    expect(seen.commits).toEqual(['11']);
    expect(seeks).toEqual([{ topic: TOPIC, partition: PARTITION, offset: '11' }]);
    expect(eventsNamed(events, 'consumer:error')).toEqual([
      { error: failure, topic: TOPIC, partition: PARTITION, offset: '11' },
    ]);
    expect(logged).toEqual(['dependency failed; partition paused and will re-read the record']);
    expect(seen.pauses).toBe(1);

    vi.advanceTimersByTime(1_999);
    expect(seen.resumes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(seen.resumes).toBe(1);
  });

  it('seeks back to the first unfinished record, which may come before the failed one', async () => {
    const control = controlledProcess();
    const { batchRunner, seeks } = runner({ process: control.process, keysPerPartition: 2 });
    const { payload, seen } = fakeBatch([
      { offset: '0', key: 'a' },
      { offset: '1', key: 'a' },
      { offset: '2', key: 'b' },
    ]);
    const done = batchRunner.runBatch(payload);
    await settle();
    expect(control.started).toEqual(['0', '2']);
    control.fail('2', new Error('dead-letter topic unavailable'));
    await settle();
    control.finish('0');
    await done;

    expect(control.started).toEqual(['0', '2']); // 1 never starts after the failure
    expect(seen.resolved).toEqual(['0']);
    expect(seeks).toEqual([{ topic: TOPIC, partition: PARTITION, offset: '1' }]);
  });

  it('rethrows a kafkajs error to kafkajs, without pausing or seeking', async () => {
    const kafkaError = Object.assign(new Error('connection lost'), { name: 'KafkaJSConnectionError' });
    const { batchRunner, seeks, events } = runner({ process: () => Promise.reject(kafkaError) });
    const { payload, seen } = fakeBatch([{ offset: '0' }]);
    await expect(batchRunner.runBatch(payload)).rejects.toBe(kafkaError);
    expect(seeks).toEqual([]);
    expect(seen.pauses).toBe(0);
    expect(eventsNamed(events, 'consumer:error')).toEqual([]);
  });

  it('leaves a record the closing consumer gave up on for redelivery, without pausing or seeking', async () => {
    const { batchRunner, seeks, events } = runner({
      process: (record) =>
        record.offset === '1'
          ? Promise.reject(new ConsumerError('CONSUMER_CLOSED', 'Consumer closed'))
          : Promise.resolve(),
    });
    const { payload, seen } = fakeBatch([{ offset: '0' }, { offset: '1' }, { offset: '2' }]);
    await batchRunner.runBatch(payload);
    expect(seen.resolved).toEqual(['0']);
    expect(seen.commits).toEqual(['1']);
    expect(seeks).toEqual([]);
    expect(seen.pauses).toBe(0);
    expect(eventsNamed(events, 'consumer:error')).toEqual([]);
  });

  it('starts no new record once the consumer closes, and commits what finished', async () => {
    const processed: string[] = [];
    const { batchRunner, closing } = runner({
      process: (record) => {
        processed.push(record.offset);
        closing.abort();
        return Promise.resolve();
      },
    });
    const { payload, seen } = fakeBatch([{ offset: '0' }, { offset: '1' }]);
    await batchRunner.runBatch(payload);
    expect(processed).toEqual(['0']);
    expect(seen.commits).toEqual(['1']);
  });

  it('starts no record of a batch that is no longer running or is stale', async () => {
    for (const state of [{ running: () => false }, { stale: () => true }]) {
      const processed: string[] = [];
      const { batchRunner } = runner({
        process: (record) => {
          processed.push(record.offset);
          return Promise.resolve();
        },
      });
      const { payload, seen } = fakeBatch([{ offset: '0' }], state);
      await batchRunner.runBatch(payload);
      expect(processed).toEqual([]);
      expect(seen.commits).toEqual([]);
    }
  });

  it('cancelResumes() drops the pending resume of a paused partition', async () => {
    const { batchRunner } = runner({ process: () => Promise.reject(new Error('store unavailable')) });
    const { payload, seen } = fakeBatch([{ offset: '0' }]);
    await batchRunner.runBatch(payload);
    expect(seen.pauses).toBe(1);
    batchRunner.cancelResumes();
    vi.advanceTimersByTime(10_000);
    expect(seen.resumes).toBe(0);
  });
});
