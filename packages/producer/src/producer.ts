/**
 * The producer's lifecycle and public API: connect and disconnect, publish, publishBatch, publishDomainEvent, flush.
 * The path of a record: the record codec (key, value, headers) → its topic and size check (internal/topics.ts) → the
 * linger batcher (internal/batcher.ts) → the sender (internal/sender.ts: one topic per request, offsets from the
 * broker's answer, reset after a failed send) → the publish's result (internal/record.ts).
 */
import type { CompressionTypes } from 'kafkajs';
import {
  VmwEventsError,
  assertTopicName,
  domainTopic,
  encodeDomainEvent,
  encodeVmOperationEvent,
  encodeVmOperationEvents,
} from '@org/vmware-events-schema';
import { HeaderValueCache } from '@org/vmware-events-schema';
import type { EncodeOptions } from '@org/vmware-events-schema';
import { BufferFullError, ProducerClosedError, ProducerNotConnectedError } from './errors.js';
import { parseProducerOptions } from './options.js';
import type { ProducerOptions, ResolvedProducerOptions } from './options.js';
import type {
  DomainEventInput,
  DomainPublishOptions,
  PublishBatchOptions,
  PublishOptions,
  PublishResult,
  ProducerLogger,
  VmOperationEventInput,
} from './types.js';
import { LingerBatcher } from './internal/batcher.js';
import { compressionType, registerCodecs } from './internal/compression.js';
import { mapKafkaError } from './internal/error-mapping.js';
import type { ErrorContext } from './internal/error-mapping.js';
import { createKafkaClients, errorContextOf } from './internal/kafka-client.js';
import { SILENT_LOGGER } from './internal/logging.js';
import { outRecord } from './internal/record.js';
import type { OutRecord } from './internal/record.js';
import { Sender } from './internal/sender.js';
import { TopicLimits, TopicRouter, checkRecordSize } from './internal/topics.js';
import { loadOtelTraceparent } from './internal/trace.js';
import type { TraceparentSource } from './internal/trace.js';

/** A producer of VM operation events and domain events. Create with {@link createProducer}. */
export interface EventProducer {
  /** Connects to the brokers (idempotent; concurrent calls share one attempt). */
  connect(): Promise<void>;
  /**
   * Fills in defaults, validates, keys, and publishes one event; resolves when the brokers have it (acks=all).
   * @throws SchemaValidationError listing every problem (nothing is sent), or a producer error.
   */
  publish(event: VmOperationEventInput, options?: PublishOptions): Promise<PublishResult>;
  /**
   * Publishes several events together. Every event is validated first: if any is invalid, none is sent and the
   * SchemaValidationError lists every problem of every event (paths prefixed with the event's index).
   */
  publishBatch(
    events: readonly VmOperationEventInput[],
    options?: PublishBatchOptions,
  ): Promise<PublishResult[]>;
  /** Publishes a domain event (seed 002); DELETE_ALL is keyed by the nil UUID. */
  publishDomainEvent(event: DomainEventInput, options: DomainPublishOptions): Promise<PublishResult>;
  /** Sends everything buffered now; resolves when all of it is acknowledged or failed. */
  flush(): Promise<void>;
  /** Flushes, then disconnects (idempotent). Later calls reject with a ProducerClosedError. */
  disconnect(): Promise<void>;
  /** Same as {@link EventProducer.disconnect}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates a producer from options (validated now; throws a ProducerOptionsError naming every bad option). */
export function createProducer(options: ProducerOptions): EventProducer {
  return new KafkaEventProducer(parseProducerOptions(options));
}

type State = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

const NO_OPTIONS: PublishOptions = Object.freeze({});

class KafkaEventProducer implements EventProducer {
  private readonly opts: ResolvedProducerOptions;
  private readonly log: ProducerLogger;
  private readonly errorContext: ErrorContext;
  private readonly topics: TopicRouter;
  private readonly limits: TopicLimits;
  private readonly sender: Sender;
  private readonly batcher: LingerBatcher<OutRecord, PublishResult>;
  private state: State = 'idle';
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private traceparent: TraceparentSource | undefined;
  /** Publishes waiting for their topic's limit: disconnect() waits for them, then flushes them too. */
  private readonly admitting = new Set<Promise<unknown>>();
  /** The checked bytes of header values that repeat from record to record (see HeaderValueCache). */
  private readonly headerCache = new HeaderValueCache();

  constructor(opts: ResolvedProducerOptions) {
    this.opts = opts;
    this.log = opts.logger ?? SILENT_LOGGER;
    this.errorContext = errorContextOf(opts);
    if (opts.compression !== 'none' && opts.compression !== 'gzip') registerCodecs();
    const compression: CompressionTypes = compressionType(opts.compression);
    const clients = createKafkaClients(opts, this.log);
    this.topics = new TopicRouter(opts.topic);
    this.limits = new TopicLimits({
      newAdmin: clients.newAdmin,
      defaultMaxMessageBytes: opts.defaultMaxMessageBytes,
      topicMetadataTtlMs: opts.topicMetadataTtlMs,
      errorContext: this.errorContext,
      log: this.log,
    });
    this.sender = new Sender({
      newProducer: clients.newProducer,
      requestLimit: (topic) => this.limits.requestLimit(topic),
      compression,
      requestTimeoutMs: opts.requestTimeoutMs,
      retry: opts.retry,
      deliveryTimeoutMs: opts.deliveryTimeoutMs,
      errorContext: this.errorContext,
      log: this.log,
    });
    this.batcher = new LingerBatcher<OutRecord, PublishResult>({
      lingerMs: opts.lingerMs,
      batchSizeBytes: opts.batchSizeBytes,
      bufferMemoryBytes: opts.bufferMemoryBytes,
      maxBlockMs: opts.maxBlockMs,
      send: (records) => this.sender.send(records),
      sendNow: (record, settled) => this.sender.sendNow(record, settled),
      bufferFullError: () => new BufferFullError(opts.bufferMemoryBytes, opts.maxBlockMs),
    });
  }

  // --- lifecycle ---

  connect(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed')
      return Promise.reject(new ProducerClosedError('connect'));
    this.connecting ??= this.doConnect().catch((error: unknown) => {
      this.connecting = undefined;
      if (this.state === 'connecting') this.state = 'idle';
      throw error;
    });
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    this.state = 'connecting';
    if (this.opts.traceContext === 'auto') this.traceparent = await loadOtelTraceparent();
    try {
      await this.sender.connect();
      await this.limits.connect();
    } catch (error) {
      await Promise.allSettled([this.sender.disconnect(), this.limits.disconnect()]);
      throw mapKafkaError(error, this.errorContext);
    }
    if (this.state !== 'connecting') {
      // disconnect() was called while connecting: it waits for us, then closes the clients.
      return;
    }
    this.state = 'connected';
    this.log.info('producer connected', { clientId: this.opts.clientId, brokers: this.opts.brokers });
  }

  disconnect(): Promise<void> {
    this.closing ??= this.doDisconnect();
    return this.closing;
  }

  private async doDisconnect(): Promise<void> {
    const wasConnecting = this.connecting;
    this.state = 'closing';
    if (wasConnecting) await wasConnecting.catch(() => undefined);
    await Promise.allSettled([...this.admitting]);
    await this.batcher.flush();
    await Promise.allSettled([this.sender.disconnect(), this.limits.disconnect()]);
    this.state = 'closed';
    this.log.info('producer disconnected', { clientId: this.opts.clientId });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Waits for a connect in progress; rejects when closed or never connected. */
  private ready(operation: string): Promise<void> | void {
    switch (this.state) {
      case 'connected':
        return;
      case 'connecting':
        return this.connecting!.catch(() => {
          throw new ProducerNotConnectedError(operation);
        });
      case 'idle':
        throw new ProducerNotConnectedError(operation);
      case 'closing':
      case 'closed':
        throw new ProducerClosedError(operation);
    }
  }

  // --- publishing ---

  publish(event: VmOperationEventInput, options: PublishOptions = NO_OPTIONS): Promise<PublishResult> {
    // Hot path: no await before the record is queued when the producer is connected.
    if (this.state !== 'connected') {
      return (async () => {
        await this.ready('publish');
        return this.publish(event, options);
      })();
    }
    try {
      const encoded = encodeVmOperationEvent(event, this.encodeOptions(options, options.identity));
      const topic = this.topics.topicFor(event.operationInfo.environment, options.topic);
      const record = outRecord(encoded, encoded.eventId, topic);
      return withSignal(this.enqueueOne(record), options.signal);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error as string)));
    }
  }

  async publishBatch(
    events: readonly VmOperationEventInput[],
    options: PublishBatchOptions = {},
  ): Promise<PublishResult[]> {
    await this.ready('publishBatch');
    if (!isArray(events)) throw new TypeError('publishBatch expects an array of events');
    if (events.length === 0) return [];
    const encoded = encodeVmOperationEvents(events, {
      ...this.encodeOptions(options, undefined),
      ...(options.identityOf === undefined ? {} : { identityOf: options.identityOf }),
    });
    const records = encoded.map((record, i) =>
      outRecord(
        record,
        record.eventId,
        this.topics.topicFor(events[i]!.operationInfo.environment, options.topic),
      ),
    );
    return withSignal(this.enqueue(records), options.signal);
  }

  async publishDomainEvent(event: DomainEventInput, options: DomainPublishOptions): Promise<PublishResult> {
    await this.ready('publishDomainEvent');
    const environment = options.environment ?? this.opts.environment;
    const source = this.opts.source;
    if (environment === undefined || source === undefined) {
      throw new VmwEventsError(
        'INVALID_OPTIONS',
        `publishDomainEvent needs ${environment === undefined ? 'an environment (options.environment or the call option environment)' : ''}` +
          `${environment === undefined && source === undefined ? ' and ' : ''}` +
          `${source === undefined ? 'a source (producer option source)' : ''}`,
      );
    }
    let topic = options.topic;
    if (topic !== undefined) assertTopicName(topic);
    else {
      const module = options.module ?? this.opts.module;
      if (module === undefined || options.entity === undefined) {
        throw new VmwEventsError(
          'INVALID_OPTIONS',
          'publishDomainEvent needs a topic, or module (option or producer option) and entity to name it',
        );
      }
      topic = domainTopic({ environment, tenant: event.tenant, module, entity: options.entity });
    }
    const encoded = encodeDomainEvent(event, {
      environment,
      source,
      eventId: options.eventId,
      identity: options.identity,
      correlationId: options.correlationId,
      traceparent: options.traceparent ?? this.traceparent?.(),
      idOf: options.idOf,
    });
    const record = outRecord(encoded, encoded.headers.eventId!, topic);
    const results = await withSignal(this.enqueue([record]), options.signal);
    return results[0]!;
  }

  /** The codec's options for one call: the producer's key strategy and source, the call's trace context. */
  private encodeOptions(
    options: { traceparent?: string; tracestate?: string },
    identity: ReadonlyArray<string | number> | undefined,
  ): EncodeOptions & { headerCache: HeaderValueCache } {
    const traceparent = options.traceparent ?? this.traceparent?.();
    return {
      headerCache: this.headerCache,
      keyStrategy: this.opts.keyStrategy,
      source: this.opts.source,
      ...(identity === undefined ? {} : { identity }),
      ...(traceparent === undefined ? {} : { traceparent }),
      ...(options.tracestate === undefined ? {} : { tracestate: options.tracestate }),
    };
  }

  /**
   * Checks sizes (loading topic limits when needed), then queues the records. When every topic's limit is cached this
   * is synchronous; otherwise the publish is tracked until it is queued, so that disconnect() waits for publishes
   * already accepted and flushes them too.
   */
  private enqueue(records: OutRecord[]): Promise<PublishResult[]> {
    let bytes = 0;
    const now = Date.now();
    for (const record of records) {
      const limit = this.limits.cached(record.topic, now);
      if (limit === undefined) return this.enqueueAfterLimits(records);
      bytes += checkRecordSize(record, limit);
    }
    return this.batcher.add(records, bytes);
  }

  /** `enqueue` for one record, resolving with its result. */
  private enqueueOne(record: OutRecord): Promise<PublishResult> {
    const limit = this.limits.cached(record.topic, Date.now());
    if (limit === undefined) return this.enqueueAfterLimits([record]).then(first);
    return this.batcher.addOne(record, checkRecordSize(record, limit));
  }

  private enqueueAfterLimits(records: OutRecord[]): Promise<PublishResult[]> {
    const admitted = (async () => {
      let bytes = 0;
      for (const record of records) bytes += checkRecordSize(record, await this.limits.load(record.topic));
      return { delivered: this.batcher.add(records, bytes) };
    })();
    this.admitting.add(admitted);
    void admitted.then(
      () => this.admitting.delete(admitted),
      () => this.admitting.delete(admitted),
    );
    return admitted.then((a) => a.delivered);
  }
}

/** The promise, or a rejection with the signal's reason once it aborts. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

function first<T>(results: T[]): T {
  return results[0]!;
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}
