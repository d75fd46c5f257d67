/**
 * `createTestPipeline`: the consumer's own pipeline (the same setup, the same `processRecord`) without a broker, for
 * unit tests of a handler. Records are made by the record codec, as the producer makes them.
 *
 * This file is also the `@org/vmware-events-consumer/testing` subpath: with `trackHandled` / `waitForHandled`
 * (handled.ts), everything a team needs to test a service that consumes.
 */
import { buildEventHeaders, buildEventKey, encodeVmOperationEvent } from '@org/vmware-events-schema';
import type { KeyStrategy, VmOperationEvent } from '@org/vmware-events-schema';
import type { OutgoingRecord } from './dead-letter.js';
import { parsePipelineOptions } from './options.js';
import type { PipelineOptions } from './options.js';
import { processRecord } from './internal/pipeline.js';
import { createPipeline } from './internal/setup.js';
import type { ConsumerEvents, RawRecord, RecordOutcome } from './types.js';

/**
 * Options of {@link createTestPipeline}: the consumer's pipeline options, without Kafka. The defaults differ where a
 * test wants them to: retries without delays (3 attempts), no circuit breaker unless given, and `keyStrategy` also
 * names the key strategy of the records made from events (default `vmId`).
 */
export type TestPipelineOptions<TEvent = VmOperationEvent> = PipelineOptions<TEvent>;

/** One record to push through the pipeline: an event (key and headers built like the producer does) or raw parts. */
export interface TestDelivery {
  /** An event object; serialised as JSON, with the SDK's headers and key. */
  event?: unknown;
  /** Raw value instead of `event` (string, bytes or null). */
  value?: string | Buffer | null;
  /** Key override (string or null). */
  key?: string | null;
  /** Header overrides / additions. */
  headers?: Record<string, string>;
  /** Topic (default `vmware.events`) and partition (default 0). */
  topic?: string;
  partition?: number;
}

/** A pipeline without a broker: what the consumer does to each record, for unit tests of a handler. */
export interface TestPipeline {
  /** Run one record through the pipeline. */
  deliver(delivery: TestDelivery): Promise<RecordOutcome>;
  /** Everything that would have been written to dead-letter topics. */
  readonly deadLetters: ReadonlyArray<{ topic: string; record: OutgoingRecord }>;
  /** Every outcome so far, in order. */
  readonly outcomes: readonly RecordOutcome[];
  /** Listen to the same typed events the consumer emits. */
  on<TName extends keyof ConsumerEvents>(
    name: TName,
    listener: (...args: ConsumerEvents[TName]) => void,
  ): () => void;
}

/**
 * Unit-test a handler with the consumer's own pipeline (filter, validation, tenant check, dedup, stale
 * check, retries, dead-letter) and no broker.
 *
 * @example
 * const pipeline = createTestPipeline({ handler });
 * expect(await pipeline.deliver({ event })).toMatchObject({ kind: 'processed' });
 */
export function createTestPipeline<TEvent = VmOperationEvent>(
  options: TestPipelineOptions<TEvent>,
): TestPipeline {
  const settings = parsePipelineOptions({
    ...options,
    retry: { maxAttempts: 3, initialDelayMs: 0, multiplier: 2, maxDelayMs: 0, jitter: 0, ...options.retry },
    circuitBreaker: options.circuitBreaker ?? false,
  });
  const deadLetters: Array<{ topic: string; record: OutgoingRecord }> = [];
  const outcomes: RecordOutcome[] = [];
  const offsets = new Map<string, number>();
  const keyStrategy = options.keyStrategy ?? 'vmId';
  const controller = new AbortController();
  const pipeline = createPipeline(settings, {
    groupId: 'test-pipeline',
    heartbeatEveryMs: 1000,
    sendDeadLetter: (topic, record) => {
      deadLetters.push({ topic, record });
      return Promise.resolve();
    },
  });

  return {
    async deliver(delivery) {
      const topic = delivery.topic ?? 'vmware.events';
      const partition = delivery.partition ?? 0;
      const slot = `${topic}/${partition}`;
      const offset = offsets.get(slot) ?? 0;
      offsets.set(slot, offset + 1);
      let headers: Record<string, string> = {};
      let key: string | null = null;
      let value: Buffer | null = null;
      if (delivery.event !== undefined) {
        ({ key, value, headers } = encodeDelivery(delivery.event, keyStrategy));
      }
      if (delivery.value !== undefined)
        value = typeof delivery.value === 'string' ? Buffer.from(delivery.value) : delivery.value;
      if (delivery.key !== undefined) key = delivery.key;
      headers = { ...headers, ...delivery.headers };
      const record: RawRecord = {
        topic,
        partition,
        offset: String(offset),
        key: key === null ? null : Buffer.from(key),
        value,
        headers,
        timestamp: String(Date.now()),
      };
      const outcome = await processRecord(pipeline.deps, record, {
        heartbeat: () => Promise.resolve(),
        signal: controller.signal,
      });
      outcomes.push(outcome);
      return outcome;
    },
    deadLetters,
    outcomes,
    on: (name, listener) => pipeline.on(name, listener),
  };
}

/**
 * The record of a delivered event: the record codec's, as the producer writes it. An event the codec refuses (a
 * newer minor, an invalid one) is delivered as another producer would write it: its JSON with the key and headers the
 * codec's builders give, or bare when even those refuse it (as a broken producer would).
 */
function encodeDelivery(
  event: unknown,
  keyStrategy: KeyStrategy,
): { key: string | null; value: Buffer; headers: Record<string, string> } {
  try {
    const record = encodeVmOperationEvent(event as VmOperationEvent, { keyStrategy });
    return { key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } };
  } catch {
    const value = Buffer.from(JSON.stringify(event));
    try {
      const foreign = event as VmOperationEvent;
      return { key: buildEventKey(foreign, keyStrategy), value, headers: { ...buildEventHeaders(foreign) } };
    } catch {
      return { key: null, value, headers: {} };
    }
  }
}

// --- the `./testing` subpath: awaiting the handling of given events (with a consumer or a test pipeline) ---
export { trackHandled, waitForHandled } from './handled.js';
export type {
  ConsumerEventSource,
  HandledOutcome,
  HandledTracker,
  WaitForHandledOptions,
} from './handled.js';
