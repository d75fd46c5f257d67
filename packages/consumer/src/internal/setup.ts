/**
 * The one setup of a pipeline, shared by `createConsumer` and `createTestPipeline`: from parsed options to the
 * pipeline's dependencies (the store, the decoder, the retry policy, the fatal-error rule, the circuit breaker),
 * the typed event emitter and the counters it keeps. What differs between the two — where dead letters go, the group
 * id, how often to heartbeat — comes in as `io`.
 */
import { EventEmitter } from 'node:events';
import { deadLetterTopic, decodeVmOperationEventValue } from '@org/vmware-events-schema';
import { CircuitBreaker } from '../circuit-breaker.js';
import type { OutgoingRecord } from '../dead-letter.js';
import { isFatalByDefault } from '../errors.js';
import type { ResolvedPipelineOptions } from '../options.js';
import type { EventStore } from '../stores/event-store.js';
import { createMemoryEventStore } from '../stores/memory.js';
import type { ConsumerEvents, ConsumerMetrics } from '../types.js';
import type { PipelineDeps } from './pipeline.js';

/** What the driver of a pipeline provides. */
export interface PipelineIo {
  /** The consumer group (written into dead-letter records). */
  groupId: string;
  /** Writes a dead-letter record. */
  sendDeadLetter: (topic: string, record: OutgoingRecord) => Promise<void>;
  /** How often to heartbeat while waiting, ms. */
  heartbeatEveryMs: number;
}

/** A pipeline ready to run, with its events and counters. */
export interface Pipeline<TEvent> {
  /** The dependencies `processRecord` runs with. */
  deps: PipelineDeps<TEvent>;
  /** Listen to a typed event; returns a function that removes the listener. */
  on<TName extends keyof ConsumerEvents>(
    name: TName,
    listener: (...args: ConsumerEvents[TName]) => void,
  ): () => void;
  /** A snapshot of the counters. */
  metrics(): ConsumerMetrics;
  /** Closes what the setup created (the default memory store), not what the options gave. */
  close(): Promise<void>;
}

/** Builds the pipeline of parsed options (see the module comment). */
export function createPipeline<TEvent>(
  options: ResolvedPipelineOptions<TEvent>,
  io: PipelineIo,
): Pipeline<TEvent> {
  const emitter = new EventEmitter();
  const counters: ConsumerMetrics = {
    processed: 0,
    duplicate: 0,
    stale: 0,
    filtered: 0,
    retried: 0,
    deadLettered: 0,
    commitFailures: 0,
    clientRestarts: 0,
    handlerLatency: { count: 0, sumMs: 0, maxMs: 0 },
  };
  // Counters are updated by the first listeners, so a user's listener already sees the new value.
  emitter.on('consumer:processed', () => (counters.processed += 1));
  emitter.on('consumer:duplicate', () => (counters.duplicate += 1));
  emitter.on('consumer:stale', () => (counters.stale += 1));
  emitter.on('consumer:filtered', () => (counters.filtered += 1));
  emitter.on('consumer:dead-letter', () => (counters.deadLettered += 1));
  emitter.on('consumer:retry', () => (counters.retried += 1));
  emitter.on('consumer:commit-failed', () => (counters.commitFailures += 1));
  emitter.on('consumer:client-restart', () => (counters.clientRestarts += 1));
  emitter.on(
    'consumer:handler-latency',
    ({ durationMs, ok }: ConsumerEvents['consumer:handler-latency'][0]) => {
      if (!ok) return;
      const latency = counters.handlerLatency;
      latency.count += 1;
      latency.sumMs += durationMs;
      latency.maxMs = Math.max(latency.maxMs, durationMs);
    },
  );
  const owned: EventStore | undefined = options.store === undefined ? createMemoryEventStore() : undefined;
  const deps: PipelineDeps<TEvent> = {
    handler: options.handler,
    decode: options.decode ?? (decodeVmOperationEventValue as unknown as (value: Buffer | null) => TEvent),
    store: options.store ?? owned!,
    staleCheck: options.staleCheck,
    filter: options.filter,
    keyStrategy: options.keyStrategy,
    retry: options.retry,
    isFatal: options.isFatal ?? isFatalByDefault,
    leaseMs: options.leaseMs,
    groupId: io.groupId,
    deadLetterTopic: options.deadLetterTopic ?? deadLetterTopic,
    sendDeadLetter: io.sendDeadLetter,
    breaker: options.circuitBreaker === false ? null : new CircuitBreaker(options.circuitBreaker),
    emit: (name, ...args) => {
      emitter.emit(name, ...args);
    },
    heartbeatEveryMs: io.heartbeatEveryMs,
  };
  return {
    deps,
    on(name, listener) {
      emitter.on(name, listener as (...args: unknown[]) => void);
      return () => emitter.off(name, listener as (...args: unknown[]) => void);
    },
    metrics: () => ({ ...counters, handlerLatency: { ...counters.handlerLatency } }),
    close: () => owned?.close() ?? Promise.resolve(),
  };
}
