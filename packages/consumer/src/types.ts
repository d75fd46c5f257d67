import type { VmOperationEvent } from '@org/vmware-events-schema';

/** A Kafka record as the pipeline sees it: raw bytes, no client types. */
export interface RawRecord {
  /** Topic the record was read from. */
  topic: string;
  /** Partition the record was read from. */
  partition: number;
  /** Offset, as a decimal string (Kafka offsets are 64-bit). */
  offset: string;
  /** Record key bytes, or null. */
  key: Buffer | null;
  /** Record value bytes, or null (tombstone). */
  value: Buffer | null;
  /** Record headers as the client gives them (kafkajs shape). */
  headers: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
  /** Record timestamp, milliseconds since the epoch, as a decimal string. */
  timestamp: string;
}

/** Which records reach the handler, decided from headers before the value is parsed. Absent = all. */
export interface EventFilter {
  /** Tenants to accept (`tenant` header). */
  tenants?: readonly string[];
  /** Environments to accept (`env` header). */
  environments?: readonly string[];
  /** Operations to accept (`operationType` header). */
  operations?: readonly string[];
}

/** What a handler receives: the validated event plus where it came from. */
export interface EventContext<TEvent = VmOperationEvent> {
  /** The validated event. */
  event: TEvent;
  /** Decoded (UTF-8) headers of the record. */
  headers: Readonly<Record<string, string>>;
  /** Record key as a string, or null. */
  key: string | null;
  /** Topic, partition, offset and timestamp of the record. */
  record: { topic: string; partition: number; offset: string; timestamp: string };
  /** 1 on the first call, 2 on the first retry, … */
  attempt: number;
  /** Aborted when the consumer is closing; a long handler should stop early and throw. */
  signal: AbortSignal;
}

/** The function a team hands to the consumer. Throw to fail; throw {@link FatalHandlerError} to skip retries. */
export type EventHandler<TEvent = VmOperationEvent> = (context: EventContext<TEvent>) => Promise<void> | void;

/** Why an event was dead-lettered (also the `x-dlt-reason` header). */
export type DeadLetterReason =
  'DECODE_ERROR' | 'SCHEMA_VALIDATION' | 'TENANT_MISMATCH' | 'HANDLER_FATAL' | 'RETRIES_EXHAUSTED';

/** Why a record was skipped without running the handler. */
export type SkipReason = 'filtered' | 'duplicate' | 'stale';

/** The outcome of one record through the pipeline. Every outcome lets the offset move on. */
export type RecordOutcome =
  | { kind: 'processed'; eventId: string; attempts: number; durationMs: number }
  | { kind: 'filtered'; field: 'tenant' | 'environment' | 'operation'; value: string | undefined }
  | { kind: 'duplicate'; eventId: string }
  | { kind: 'stale'; eventId: string; scope: string; eventKey: number; lastKey: number }
  | {
      kind: 'dead-lettered';
      reason: DeadLetterReason;
      eventId: string | undefined;
      attempts: number;
      error: unknown;
      deadLetterTopic: string;
    };

/** Logger interface (pino/winston/console compatible). The SDK never logs event data or secrets. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Typed events emitted by the consumer (and the test harness), namespaced `consumer:*`. */
export interface ConsumerEvents {
  /** The handler succeeded. */
  'consumer:processed': [
    {
      eventId: string;
      topic: string;
      partition: number;
      offset: string;
      attempts: number;
      durationMs: number;
    },
  ];
  /** The event id was already processed. */
  'consumer:duplicate': [{ eventId: string; topic: string; partition: number; offset: string }];
  /** The event is older than the last one processed for its VM (vCenter key). */
  'consumer:stale': [
    {
      eventId: string;
      scope: string;
      eventKey: number;
      lastKey: number;
      topic: string;
      partition: number;
      offset: string;
    },
  ];
  /** A record was skipped by the tenant/environment/operation filter. */
  'consumer:filtered': [
    {
      field: 'tenant' | 'environment' | 'operation';
      value: string | undefined;
      topic: string;
      partition: number;
      offset: string;
    },
  ];
  /** The handler failed and will be retried after `delayMs`. */
  'consumer:retry': [
    {
      eventId: string;
      attempt: number;
      delayMs: number;
      error: unknown;
      topic: string;
      partition: number;
      offset: string;
    },
  ];
  /** The record was written to the dead-letter topic. */
  'consumer:dead-letter': [
    {
      reason: DeadLetterReason;
      eventId: string | undefined;
      attempts: number;
      deadLetterTopic: string;
      error: unknown;
      topic: string;
      partition: number;
      offset: string;
    },
  ];
  /** Handler latency of one successful or failed call. */
  'consumer:handler-latency': [{ eventId: string; durationMs: number; ok: boolean }];
  /** The circuit breaker changed state. */
  'consumer:circuit': [{ state: 'open' | 'half-open' | 'closed'; failureRate: number }];
  /** This member joined the group (at start and after every rebalance), with its partitions. */
  'consumer:group-join': [{ memberId: string; assignment: Record<string, number[]> }];
  /** Offsets were committed. */
  'consumer:commit': [{ topic: string; partition: number; offset: string }];
  /**
   * Committing offsets failed (typically: the group coordinator died or moved). The records stay handled and their
   * offsets are committed by the next commit that succeeds; until then a restart would re-read them (the dedup store
   * skips them). `failures` counts the failed commits in a row; `sinceLastCommitMs` is the time since the last one
   * that succeeded. See docs/consumer.md, "When the group coordinator dies".
   */
  'consumer:commit-failed': [
    {
      error: unknown;
      topic: string;
      partition: number;
      offset: string;
      failures: number;
      sinceLastCommitMs: number;
    },
  ];
  /**
   * The Kafka client stopped its consumer after an error (kafkajs "crash"); `restart` says whether it starts it
   * again by itself (it does for retriable errors: it rejoins the group and re-reads from the committed offsets).
   */
  'consumer:client-restart': [{ error: unknown; restart: boolean }];
  /** A step failed because a dependency (dead-letter topic, store) is unavailable; the record will be re-read. */
  'consumer:error': [{ error: unknown; topic: string; partition: number; offset: string }];
}

/** Counters kept by the consumer; read them with `consumer.metrics()`. */
export interface ConsumerMetrics {
  /** Handler succeeded. */
  processed: number;
  /** Skipped: already processed. */
  duplicate: number;
  /** Skipped: older vCenter key for the VM. */
  stale: number;
  /** Skipped by the header filter. */
  filtered: number;
  /** Handler retries (attempts after the first). */
  retried: number;
  /** Written to the dead-letter topic. */
  deadLettered: number;
  /** Commits that failed (see the `consumer:commit-failed` event). */
  commitFailures: number;
  /** Times the Kafka client stopped its consumer after an error (see `consumer:client-restart`). */
  clientRestarts: number;
  /** Handler latency in milliseconds (successful calls): count, sum, max. */
  handlerLatency: { count: number; sumMs: number; maxMs: number };
}
