/**
 * The producer: validate → key → headers → topic → size check → linger batch → idempotent send.
 */
import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Admin, CompressionTypes, Message, Producer, RecordMetadata } from 'kafkajs';
import {
  CANONICAL_TOPIC,
  RECORD_BATCH_OVERHEAD_BYTES,
  VmwEventsError,
  assertTopicName,
  domainTopic,
  encodeDomainEvent,
  encodeVmOperationEvent,
  encodeVmOperationEvents,
  environmentTopic,
  recordSize,
  teamTopic,
} from '@org/vmware-events-schema';
import { HeaderValueCache } from '@org/vmware-events-schema';
import type { EncodeOptions, WireHeaders, WireRecord } from '@org/vmware-events-schema';
import {
  BufferFullError,
  MessageTooLargeError,
  ProducerClosedError,
  ProducerNotConnectedError,
  UnknownTopicError,
  AuthorizationError,
  isProducerError,
} from './errors.js';
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
import { acknowledgedBaseOffset } from './internal/acknowledgement.js';
import { LingerBatcher } from './internal/batcher.js';
import { compressionType, registerCodecs } from './internal/compression.js';
import { deliver } from './internal/delivery.js';
import type { Delivery } from './internal/delivery.js';
import { mapKafkaError, rootCause } from './internal/error-mapping.js';
import type { ErrorContext } from './internal/error-mapping.js';
import { SILENT_LOGGER, kafkaLogCreator } from './internal/logging.js';
import { javaCompatiblePartitioner } from './internal/partitioner.js';
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

/**
 * One record on its way to Kafka. It lives until the broker answers, so every field it will get is there from the
 * start (`bound`, and the message's `partition` that the partitioner fills in): a property added later would cost an
 * extra allocation per outstanding record, which the garbage collector then copies.
 */
interface OutRecord {
  topic: string;
  message: { key: string; value: string; headers: WireHeaders; partition: number | undefined };
  eventId: string;
  /** Upper bound of the record's bytes (set when the record is admitted, 0 before), for splitting requests. */
  bound: number;
}

interface TopicInfo {
  maxMessageBytes: number;
  expiresAt: number;
}

type State = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

const NO_OPTIONS: PublishOptions = Object.freeze({});

class KafkaEventProducer implements EventProducer {
  private readonly opts: ResolvedProducerOptions;
  private readonly log: ProducerLogger;
  private readonly kafka: Kafka;
  private readonly compression: CompressionTypes;
  private readonly errorContext: ErrorContext;
  private readonly batcher: LingerBatcher<OutRecord, PublishResult>;
  private readonly fixedTopic: string | undefined;
  private readonly envTopics = new Map<string, string>();
  private readonly topicInfo = new Map<string, TopicInfo>();
  private readonly topicInfoPending = new Map<string, Promise<TopicInfo>>();
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private needsReset = false;
  private state: State = 'idle';
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private traceparent: TraceparentSource | undefined;
  private readonly admitting = new Set<Promise<unknown>>();
  /** The checked bytes of header values that repeat from record to record (see HeaderValueCache). */
  private readonly headerCache = new HeaderValueCache();

  constructor(opts: ResolvedProducerOptions) {
    this.opts = opts;
    this.log = opts.logger ?? SILENT_LOGGER;
    const secrets = opts.sasl ? [opts.sasl.password, opts.sasl.username] : [];
    this.errorContext = {
      brokers: opts.brokers,
      principal: opts.sasl ? `User:${opts.sasl.username}` : 'User:ANONYMOUS',
      saslMechanism: opts.sasl?.mechanism,
    };
    if (opts.compression !== 'none' && opts.compression !== 'gzip') registerCodecs();
    this.compression = compressionType(opts.compression);
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: [...opts.brokers],
      ssl: opts.ssl,
      sasl: opts.sasl,
      connectionTimeout: opts.connectionTimeoutMs,
      requestTimeout: opts.requestTimeoutMs,
      retry: this.kafkaRetry(),
      logLevel: KAFKA_LOG_LEVELS[opts.kafkaLogLevel],
      logCreator: kafkaLogCreator(this.log, secrets),
    });
    const topic = opts.topic;
    this.fixedTopic =
      topic === 'canonical'
        ? CANONICAL_TOPIC
        : topic === 'environment'
          ? undefined
          : 'team' in topic
            ? teamTopic(topic.team)
            : topic.name;
    this.batcher = new LingerBatcher<OutRecord, PublishResult>({
      lingerMs: opts.lingerMs,
      batchSizeBytes: opts.batchSizeBytes,
      bufferMemoryBytes: opts.bufferMemoryBytes,
      maxBlockMs: opts.maxBlockMs,
      send: (records) => this.send(records),
      sendNow: (record, settled) => this.sendNow(record, settled),
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
    const producer = this.newKafkaProducer();
    const admin = this.kafka.admin({ retry: this.kafkaRetry() });
    try {
      await producer.connect();
      await admin.connect();
    } catch (error) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      throw mapKafkaError(error, this.errorContext);
    }
    this.producer = producer;
    this.admin = admin;
    if (this.state !== 'connecting') {
      // disconnect() was called while connecting: it waits for us, then closes these clients.
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
    await Promise.allSettled([this.producer?.disconnect(), this.admin?.disconnect()]);
    this.producer = undefined;
    this.admin = undefined;
    this.state = 'closed';
    this.log.info('producer disconnected', { clientId: this.opts.clientId });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  flush(): Promise<void> {
    return this.batcher.flush();
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
      const record = this.outRecord(
        encodeVmOperationEvent(event, this.encodeOptions(options, options.identity)),
        event,
        options.topic,
      );
      return this.withSignal(this.enqueueOne(record), options.signal);
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
    const records = encoded.map((record, i) => this.outRecord(record, events[i]!, options.topic));
    return this.withSignal(this.enqueue(records), options.signal);
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
    const record: OutRecord = {
      topic,
      eventId: encoded.headers.eventId!,
      message: { key: encoded.key, value: encoded.value, headers: encoded.headers, partition: undefined },
      bound: 0,
    };
    const results = await this.withSignal(this.enqueue([record]), options.signal);
    return results[0]!;
  }

  /**
   * Checks sizes (loading topic metadata when needed), then queues the records. When the topic's metadata is
   * cached this is synchronous; otherwise the publish is tracked until it is queued, so that disconnect() waits
   * for publishes already accepted and flushes them too.
   */
  private enqueue(records: OutRecord[]): Promise<PublishResult[]> {
    let bytes = 0;
    const now = Date.now();
    for (const record of records) {
      const info = this.topicInfo.get(record.topic);
      if (info === undefined || info.expiresAt <= now) return this.enqueueAfterMetadata(records);
      bytes += checkRecordSize(record, info.maxMessageBytes);
    }
    return this.batcher.add(records, bytes);
  }

  /** `enqueue` for one record, resolving with its result. */
  private enqueueOne(record: OutRecord): Promise<PublishResult> {
    const info = this.topicInfo.get(record.topic);
    if (info === undefined || info.expiresAt <= Date.now())
      return this.enqueueAfterMetadata([record]).then(first);
    return this.batcher.addOne(record, checkRecordSize(record, info.maxMessageBytes));
  }

  private enqueueAfterMetadata(records: OutRecord[]): Promise<PublishResult[]> {
    const admitted = (async () => {
      let bytes = 0;
      for (const record of records) {
        const cached = this.topicInfo.get(record.topic);
        const info =
          cached !== undefined && cached.expiresAt > Date.now()
            ? cached
            : await this.loadTopicInfo(record.topic);
        bytes += checkRecordSize(record, info.maxMessageBytes);
      }
      return { delivered: this.batcher.add(records, bytes) };
    })();
    this.admitting.add(admitted);
    void admitted.then(
      () => this.admitting.delete(admitted),
      () => this.admitting.delete(admitted),
    );
    return admitted.then((a) => a.delivered);
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

  /** A record of the codec on its way to its topic (named after the event's environment, or given). */
  private outRecord(record: WireRecord, input: VmOperationEventInput, topic: string | undefined): OutRecord {
    return {
      topic: this.topicFor(input.operationInfo.environment, topic),
      eventId: record.eventId,
      // The JSON text as is: kafkajs writes it straight into the request as UTF-8 (no intermediate Buffer).
      // `partition` is declared up front (the partitioner fills it in): see OutRecord.
      message: { key: record.key, value: record.value, headers: record.headers, partition: undefined },
      bound: 0,
    };
  }

  private topicFor(env: string, override: string | undefined): string {
    if (override !== undefined) {
      assertTopicName(override);
      return override;
    }
    if (this.fixedTopic !== undefined) return this.fixedTopic;
    let topic = this.envTopics.get(env);
    if (topic === undefined) {
      topic = environmentTopic(env);
      if (this.envTopics.size < 1000) this.envTopics.set(env, topic);
    }
    return topic;
  }

  private loadTopicInfo(topic: string): Promise<TopicInfo> {
    let pending = this.topicInfoPending.get(topic);
    if (pending === undefined) {
      pending = this.fetchTopicInfo(topic).finally(() => this.topicInfoPending.delete(topic));
      this.topicInfoPending.set(topic, pending);
    }
    return pending;
  }

  private async fetchTopicInfo(topic: string): Promise<TopicInfo> {
    const admin = this.admin;
    if (admin === undefined) throw new ProducerClosedError('publish');
    const ctx = { ...this.errorContext, topic };
    let maxMessageBytes = this.opts.defaultMaxMessageBytes;
    try {
      const described = await admin.describeConfigs({
        resources: [
          { type: 2 /* ConfigResourceTypes.TOPIC */, name: topic, configNames: ['max.message.bytes'] },
        ],
        includeSynonyms: false,
      });
      const resource = described.resources[0];
      if (resource && resource.errorCode !== 0) {
        throw Object.assign(new Error(resource.errorMessage ?? 'describeConfigs failed'), {
          type: resource.errorCode === 3 ? 'UNKNOWN_TOPIC_OR_PARTITION' : undefined,
          code: resource.errorCode,
        });
      }
      const value = resource?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue;
      if (value !== undefined && Number.isFinite(Number(value))) maxMessageBytes = Number(value);
    } catch (error) {
      const root = rootCause(error) as { type?: string; code?: number } | null;
      const type = root?.type;
      if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || root?.code === 3)
        throw new UnknownTopicError(topic, error);
      if (type !== 'TOPIC_AUTHORIZATION_FAILED' && root?.code !== 29) throw mapKafkaError(error, ctx);
      // No DESCRIBE_CONFIGS permission: fall back to the default limit, and check the topic exists.
      this.log.debug('cannot read max.message.bytes; using the default limit', {
        topic,
        limit: maxMessageBytes,
      });
      try {
        await admin.fetchTopicMetadata({ topics: [topic] });
      } catch (metaError) {
        const metaRoot = rootCause(metaError) as { type?: string } | null;
        if (metaRoot?.type === 'TOPIC_AUTHORIZATION_FAILED') {
          throw new AuthorizationError(topic, this.errorContext.principal, 'DESCRIBE', metaError);
        }
        if (metaRoot?.type === 'UNKNOWN_TOPIC_OR_PARTITION') throw new UnknownTopicError(topic, metaError);
        throw mapKafkaError(metaError, ctx);
      }
    }
    const info = { maxMessageBytes, expiresAt: Date.now() + this.opts.topicMetadataTtlMs };
    this.topicInfo.set(topic, info);
    return info;
  }

  private withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
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

  // --- sending (one call at a time: the batcher guarantees it) ---

  private newKafkaProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: javaCompatiblePartitioner,
      retry: this.kafkaRetry(),
    });
  }

  private kafkaRetry() {
    const r = this.opts.retry;
    return { retries: r.retries, initialRetryTime: r.initialRetryTimeMs, maxRetryTime: r.maxRetryTimeMs };
  }

  /**
   * After a failed send the outcome is unknown (the broker may have appended the batch). kafkajs rolls its
   * sequence numbers back, so the next batch could reuse them and be taken for a duplicate. Java bumps the
   * epoch; we take a new producer id by replacing the kafkajs producer before sending anything else.
   */
  private async resetProducer(): Promise<Producer> {
    const old = this.producer;
    const fresh = this.newKafkaProducer();
    await old?.disconnect().catch(() => undefined);
    await fresh.connect();
    this.producer = fresh;
    this.needsReset = false;
    this.log.info('idempotent producer replaced after a failed send (new producer id)', {});
    return fresh;
  }

  /**
   * Sends one topic per request (so a topic the principal may not write, or that is gone, fails only its own
   * records), in chunks that fit the topic's max.message.bytes. Returns one result per record, in order: the
   * record's position as the broker acknowledged it, or the error that refused it (the batcher rejects the record's
   * publish with it). What an answer does not acknowledge is re-sent (see deliverChunk).
   */
  private async send(records: OutRecord[]): Promise<Array<PublishResult | Error>> {
    const results = new Array<PublishResult | Error>(records.length);
    for (const [topic, indices] of byTopic(records)) {
      for (const chunk of this.chunks(topic, indices, records)) {
        const messages = new Array<OutRecord['message']>(chunk.length);
        for (let k = 0; k < chunk.length; k++) messages[k] = records[chunk[k]!]!.message;
        const { offsets, failure } = await this.deliverChunk(topic, messages, Date.now());
        const error =
          failure === undefined
            ? undefined
            : this.deliveryFailed(failure, topic, offsets.filter((o) => o === undefined).length);
        chunk.forEach((i, k) => {
          const record = records[i]!;
          const offset = offsets[k];
          results[i] = offset === undefined ? error! : resultOf(record, record.message.partition!, offset);
        });
      }
    }
    return results;
  }

  /**
   * The batcher's `sendNow`: a record that leaves at once and alone (every awaited `publish` with no linger). The
   * caller's result is one microtask after the broker's answer; `settled` lets the batcher start the next send first.
   * An answer that does not acknowledge the record's partition takes the re-send path of deliverChunk.
   */
  private sendNow(record: OutRecord, settled: () => void): Promise<PublishResult> {
    const startedAt = Date.now();
    const { topic, message } = record;
    return this.sendMessages(topic, [message]).then(
      (answer) => {
        const offset = acknowledgedBaseOffset(topic, message.partition, answer);
        if (offset !== undefined) {
          settled();
          return resultOf(record, message.partition!, offset);
        }
        return this.deliverChunk(topic, [message], startedAt, answer).then((delivery) => {
          const failure = delivery.failure;
          const redelivered = delivery.offsets[0];
          settled();
          if (redelivered === undefined) throw this.deliveryFailed(failure, topic, 1);
          return resultOf(record, message.partition!, redelivered);
        });
      },
      (error: unknown) => {
        const failure = this.sendFailed(error, topic, 1);
        settled();
        throw failure;
      },
    );
  }

  /**
   * Delivers one request's messages: sends them (unless `answer` is the answer of a send already made), then re-sends
   * on the same idempotent producer the messages of every partition the answer did not acknowledge, within the
   * retries and `deliveryTimeoutMs` from `startedAt` (see internal/delivery.ts).
   */
  private deliverChunk(
    topic: string,
    messages: Array<OutRecord['message']>,
    startedAt: number,
    answer?: RecordMetadata[],
  ): Promise<Delivery> {
    const { retries, initialRetryTimeMs, maxRetryTimeMs } = this.opts.retry;
    return deliver(
      topic,
      messages,
      {
        send: (batch) => this.sendMessages(topic, batch),
        retries,
        initialRetryTimeMs,
        maxRetryTimeMs,
        deadline: startedAt + this.opts.deliveryTimeoutMs,
        log: this.log,
      },
      answer,
    );
  }

  /**
   * One request of one topic's messages, on a fresh producer id after a failed send (see resetProducer). Not async:
   * kafkajs's promise is returned as it is (an async function would add two microtask hops to every send).
   */
  private sendMessages(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const producer = this.producer;
    if (producer === undefined) return Promise.reject(new ProducerClosedError('send'));
    if (this.needsReset) {
      return this.resetProducer().then((fresh) => this.sendBatchOn(fresh, topic, messages));
    }
    return this.sendBatchOn(producer, topic, messages);
  }

  private sendBatchOn(producer: Producer, topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    return producer.sendBatch({
      acks: -1,
      timeout: this.opts.requestTimeoutMs,
      compression: this.compression,
      topicMessages: [{ topic, messages }],
    });
  }

  /** The error for the records of a failed send, logged; the next send takes a new producer id (resetProducer). */
  private sendFailed(error: unknown, topic: string, records: number): Error {
    this.needsReset = true;
    const mapped = mapKafkaError(error, { ...this.errorContext, topic });
    const failure = mapped instanceof Error ? mapped : new Error('send failed', { cause: mapped });
    this.log.warn('send failed', {
      topic,
      records,
      code: (failure as { code?: string }).code,
      error: failure.message,
    });
    return failure;
  }

  /**
   * The error for records a delivery left without an offset: a NotAcknowledgedError as it is, anything else as a
   * failed send. Either way their sequence numbers may belong to records a broker did append, so the next send takes
   * a new producer id (a record sent later with the same numbers would be taken for a duplicate and dropped).
   */
  private deliveryFailed(failure: unknown, topic: string, records: number): Error {
    if (isProducerError(failure, 'PRODUCER_NOT_ACKNOWLEDGED')) {
      this.needsReset = true;
      return failure;
    }
    return this.sendFailed(failure, topic, records);
  }

  /** Splits one topic's records so that no request carries more than the topic's max.message.bytes. */
  private chunks(topic: string, indices: number[], records: OutRecord[]): number[][] {
    if (indices.length === 1) return [indices];
    const limit =
      (this.topicInfo.get(topic)?.maxMessageBytes ?? this.opts.defaultMaxMessageBytes) -
      RECORD_BATCH_OVERHEAD_BYTES;
    const chunks: number[][] = [];
    let chunk: number[] = [];
    let used = 0;
    for (const i of indices) {
      const size = records[i]!.bound; // set by checkRecordSize, which every queued record has passed
      if (chunk.length > 0 && used + size > limit) {
        chunks.push(chunk);
        chunk = [];
        used = 0;
      }
      chunk.push(i);
      used += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }
}

/**
 * The record's size in a record batch (the codec's count), kept as its `bound` for splitting requests.
 * Throws MessageTooLargeError when a batch of it alone would exceed the topic's limit.
 */
function checkRecordSize(record: OutRecord, maxMessageBytes: number): number {
  const size = recordSize(record.message);
  if (size + RECORD_BATCH_OVERHEAD_BYTES > maxMessageBytes) {
    throw new MessageTooLargeError(
      record.topic,
      size + RECORD_BATCH_OVERHEAD_BYTES,
      maxMessageBytes,
      record.eventId,
    );
  }
  record.bound = size;
  return size;
}

function first<T>(results: T[]): T {
  return results[0]!;
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

const KAFKA_LOG_LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

/** Record positions per topic, in order. */
function byTopic(records: OutRecord[]): Map<string, number[]> {
  const topics = new Map<string, number[]>();
  for (let i = 0; i < records.length; i++) {
    const list = topics.get(records[i]!.topic);
    if (list) list.push(i);
    else topics.set(records[i]!.topic, [i]);
  }
  return topics;
}

/** What a publish resolves with for one record. */
function resultOf(record: OutRecord, partition: number, offset: string): PublishResult {
  return {
    eventId: record.eventId,
    topic: record.topic,
    partition,
    offset,
    key: record.message.key,
  };
}
