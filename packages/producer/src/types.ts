/** Public types of the producer. */
import type { DomainEvent, VmOperationEvent } from '@org/vmware-events-schema';

/** The logger the producer writes to (inject your own; the default discards everything). Never receives secrets. */
export interface ProducerLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Optional<T, K extends PropertyKey> = Omit<T, K> & Partial<Pick<T, Extract<keyof T, K>>>;
type WithDefaults<T> = T extends { operationInfo: infer TInfo extends { timestamp: string } }
  ? Optional<Omit<T, 'operationInfo'> & { operationInfo: Optional<TInfo, 'timestamp'> }, DefaultedField>
  : never;
type DefaultedField = 'eventId' | 'schemaVersion' | 'correlationId' | 'source';

/**
 * A VM operation event as a caller writes it: `eventId`, `schemaVersion`, `correlationId`, `source` and
 * `operationInfo.timestamp` may be left out; the producer fills them in (source from `options.source`).
 */
export type VmOperationEventInput = WithDefaults<VmOperationEvent>;

/** Options of one `publish` / `publishBatch` call. */
export interface PublishOptions {
  /** Send to this topic instead of the one the configured naming gives. */
  topic?: string;
  /**
   * The event's natural identity, e.g. `[vcenterInstanceUuid, eventKey]`: the event id becomes
   * `deriveEventId(...identity)`, so a re-sent event keeps its id and consumers drop the duplicate.
   * For `publishBatch`, use `identityOf` instead.
   */
  identity?: ReadonlyArray<string | number>;
  /** W3C `traceparent` to send; default: the active OpenTelemetry span's, when OpenTelemetry is in use. */
  traceparent?: string;
  /** W3C `tracestate` to send with `traceparent`. */
  tracestate?: string;
  /** Give up waiting for buffer space or the acknowledgement (the record may still be delivered). */
  signal?: AbortSignal;
}

/** Options of one `publishBatch` call. */
export interface PublishBatchOptions extends Omit<PublishOptions, 'identity'> {
  /** Natural identity of each event (see {@link PublishOptions.identity}); return undefined for a random id. */
  identityOf?: (event: VmOperationEventInput, index: number) => ReadonlyArray<string | number> | undefined;
}

/** Options of `publishDomainEvent`. */
export interface DomainPublishOptions {
  /** Topic; default `<environment>.<tenant>.<module>.<entity>` (seed 002) from the options below. */
  topic?: string;
  /** Environment (`ENV`); default `options.environment`. */
  environment?: string;
  /** Producer module name, e.g. `inventory-storage` (the `storage` postfix is dropped); default `options.module`. */
  module?: string;
  /** Entity name in singular form, e.g. `instance`. Required unless `topic` is given. */
  entity?: string;
  /** Reads the entity id used as the partition key; default `entity.id`. Ignored for DELETE_ALL (nil UUID). */
  idOf?: (entity: Record<string, unknown>) => unknown;
  /** Event id; default random, or derived from `identity`. */
  eventId?: string;
  /** Natural identity to derive the event id from (see {@link PublishOptions.identity}). */
  identity?: ReadonlyArray<string | number>;
  /** Request/workflow id; default: the event id. */
  correlationId?: string;
  /** W3C `traceparent`; default: the active OpenTelemetry span's. */
  traceparent?: string;
  /** Abort waiting (see {@link PublishOptions.signal}). */
  signal?: AbortSignal;
}

/** Where an event was written. */
export interface PublishResult {
  /** The event id (the one filled in when the caller left it out). */
  eventId: string;
  /** The topic written to. */
  topic: string;
  /** The partition written to. */
  partition: number;
  /** The record's offset in the partition (a decimal string, as Kafka offsets are 64-bit). */
  offset: string;
  /** The record key. */
  key: string;
}

/** The domain event shape accepted by `publishDomainEvent` (seed 002). */
export type DomainEventInput = DomainEvent;
