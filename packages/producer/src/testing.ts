/**
 * `@org/vmware-events-producer/testing`: an in-memory {@link EventProducer} for a team's unit tests. It checks
 * exactly what the real producer checks, with the same code — the options schema (`parseProducerOptions`), the record
 * codec (`encodeVmOperationEvent(s)`, `encodeDomainEvent`: defaults, validation, key, headers), the topic builders,
 * the size limit, the lifecycle — and, instead of sending, records each record as the broker would have stored it.
 * A spy awaits a given event; `onPublish` hands records on (to the consumer's test pipeline, for instance).
 * A contract test runs the same inputs through this and the real producer on a real broker.
 */
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
import type { DomainEvent, EncodeOptions, EventRecord, VmOperationEvent } from '@org/vmware-events-schema';
import {
  MessageTooLargeError,
  ProducerClosedError,
  ProducerNotConnectedError,
  UnknownTopicError,
} from './errors.js';
import { parseProducerOptions } from './options.js';
import type { ProducerOptions, ResolvedProducerOptions } from './options.js';
import type { EventProducer } from './producer.js';
import type {
  DomainEventInput,
  DomainPublishOptions,
  PublishBatchOptions,
  PublishOptions,
  PublishResult,
  VmOperationEventInput,
} from './types.js';
import { partitionForKey } from './internal/partitioner.js';
import { loadOtelTraceparent } from './internal/trace.js';
import type { TraceparentSource } from './internal/trace.js';

/** A topic of the in-memory cluster. */
export interface InMemoryTopic {
  /** Partitions (keys are hashed like the Java client's partitioner). Default 1. */
  partitions?: number;
  /** The topic's `max.message.bytes`. Default: the producer option `defaultMaxMessageBytes`. */
  maxMessageBytes?: number;
}

/**
 * Options of {@link createInMemoryProducer}: the real producer's options (checked by the same schema; those about
 * the network are accepted and have no effect; `brokers` may be left out), plus the topics that exist.
 */
export type InMemoryProducerOptions = Partial<ProducerOptions> & {
  /**
   * The topics that exist, by name (or a list of names). Publishing elsewhere fails with an UnknownTopicError, as on
   * a cluster. Default: every topic exists, with one partition.
   */
  topics?: readonly string[] | Readonly<Record<string, InMemoryTopic>>;
};

/** A record the in-memory producer stored: where it went, its bytes as text, and the event it carries. */
export type PublishedRecord = {
  topic: string;
  partition: number;
  /** Per topic and partition, from 0, as a decimal string (like Kafka offsets). */
  offset: string;
  /** The record key. */
  key: string;
  /** The record value: the event as JSON, exactly as the real producer writes it. */
  value: string;
  /** The record headers, exactly as the real producer writes them. */
  headers: Readonly<Record<string, string>>;
  /** The event id (also the `eventId` header). */
  eventId: string;
} & (
  | {
      kind: 'vm-operation-event';
      /** The event with the producer's defaults filled in. */ event: VmOperationEvent;
    }
  | { kind: 'domain-event'; /** The domain event. */ event: DomainEvent }
);

/** Which record {@link InMemoryProducer.waitForPublished} waits for: an event id, or a test on the record. */
export type PublishedMatch = string | ((record: PublishedRecord) => boolean);

/** An {@link EventProducer} that keeps what it publishes in memory, with a spy. */
export interface InMemoryProducer extends EventProducer {
  /** Every record published so far, in order. */
  readonly published: readonly PublishedRecord[];
  /**
   * Resolves with the first record that matches — one already published, or the next one — or rejects after
   * `timeoutMs` (default 5 000) with what was published meanwhile.
   */
  waitForPublished(match: PublishedMatch, options?: { timeoutMs?: number }): Promise<PublishedRecord>;
  /**
   * Calls `listener` with each record as it is published (after it is stored). What a listener returns is awaited by
   * `flush()` (and `disconnect()`), which rejects with the first listener failure. Returns a function that removes it.
   */
  onPublish(listener: (record: PublishedRecord) => unknown): () => void;
  /** The next publish call (any kind) rejects with `error`, storing nothing. */
  failNext(error: Error): void;
  /** Forgets every record (offsets start again at 0); listeners and waiters stay. */
  clear(): void;
}

/**
 * An in-memory producer for unit tests: validates, keys and names topics exactly like {@link createProducer}, and
 * records instead of sending.
 *
 * @example
 * const producer = createInMemoryProducer({ source: 'urn:vmware-events:service:provisioner' });
 * await producer.connect();
 * await service.powerOn('vm-42', producer);
 * const record = await producer.waitForPublished((r) => r.key === 'vm-42');
 * expect(record.event.operationInfo.operation).toBe('power_on');
 */
export function createInMemoryProducer(options: InMemoryProducerOptions = {}): InMemoryProducer {
  const { topics, ...producerOptions } = options;
  return new MemoryProducer(
    parseProducerOptions({ brokers: ['in-memory:9092'], ...producerOptions }),
    topics,
  );
}

type State = 'idle' | 'connected' | 'closed';

/** A record on its way into memory. */
interface OutRecord {
  topic: string;
  key: string;
  value: string;
  headers: Readonly<Record<string, string>>;
  eventId: string;
  kind: PublishedRecord['kind'];
}

function vmRecord(topic: string, record: EventRecord): OutRecord {
  return { topic, ...record, eventId: record.headers.eventId, kind: 'vm-operation-event' };
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** `fn`'s result as a promise, a throw as a rejection (what the real producer's calls do). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(asError(error));
  }
}

interface Waiter {
  match: (record: PublishedRecord) => boolean;
  resolve: (record: PublishedRecord) => void;
}

class MemoryProducer implements InMemoryProducer {
  private state: State = 'idle';
  private readonly records: PublishedRecord[] = [];
  private readonly offsets = new Map<string, number>();
  private readonly listeners = new Set<(record: PublishedRecord) => unknown>();
  private readonly waiters = new Set<Waiter>();
  private readonly pending = new Set<Promise<unknown>>();
  private listenerFailure: Error[] = [];
  private nextFailure: Error | undefined;
  private traceparent: TraceparentSource | undefined;
  private readonly fixedTopic: string | undefined;
  private readonly topics: ReadonlyMap<string, InMemoryTopic> | undefined;

  constructor(
    private readonly opts: ResolvedProducerOptions,
    topics: InMemoryProducerOptions['topics'],
  ) {
    const topic = opts.topic;
    this.fixedTopic =
      topic === 'canonical'
        ? CANONICAL_TOPIC
        : topic === 'environment'
          ? undefined
          : 'team' in topic
            ? teamTopic(topic.team)
            : topic.name;
    this.topics =
      topics === undefined
        ? undefined
        : new Map(
            Array.isArray(topics)
              ? (topics as readonly string[]).map((name): [string, InMemoryTopic] => [name, {}])
              : Object.entries(topics as Record<string, InMemoryTopic>),
          );
  }

  get published(): readonly PublishedRecord[] {
    return this.records;
  }

  // --- lifecycle: as the real producer's ---

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new ProducerClosedError('connect');
    if (this.state === 'connected') return;
    if (this.opts.traceContext === 'auto') this.traceparent = await loadOtelTraceparent();
    this.state = 'connected';
  }

  async disconnect(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.flush();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    const [failure] = this.listenerFailure;
    this.listenerFailure = [];
    if (failure !== undefined) throw failure;
  }

  // --- publishing: the real producer's checks, then storing ---

  publish(event: VmOperationEventInput, options: PublishOptions = {}): Promise<PublishResult> {
    return settle(() => {
      this.ready('publish', options.signal);
      const record = encodeVmOperationEvent(event, this.encodeOptions(options, options.identity));
      const topic = this.topicFor(event.operationInfo.environment, options.topic);
      return this.store([vmRecord(topic, record)])[0]!;
    });
  }

  publishBatch(
    events: readonly VmOperationEventInput[],
    options: PublishBatchOptions = {},
  ): Promise<PublishResult[]> {
    return settle(() => {
      this.ready('publishBatch', options.signal);
      if (!isArray(events)) throw new TypeError('publishBatch expects an array of events');
      if (events.length === 0) return [];
      const encoded = encodeVmOperationEvents(events, {
        ...this.encodeOptions(options, undefined),
        ...(options.identityOf === undefined ? {} : { identityOf: options.identityOf }),
      });
      return this.store(
        encoded.map((record, i) =>
          vmRecord(this.topicFor(events[i]!.operationInfo.environment, options.topic), record),
        ),
      );
    });
  }

  publishDomainEvent(event: DomainEventInput, options: DomainPublishOptions): Promise<PublishResult> {
    return settle(() => this.domainRecord(event, options));
  }

  private domainRecord(event: DomainEventInput, options: DomainPublishOptions): PublishResult {
    this.ready('publishDomainEvent', options.signal);
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
    const record = encodeDomainEvent(event, {
      environment,
      source,
      eventId: options.eventId,
      identity: options.identity,
      correlationId: options.correlationId,
      traceparent: options.traceparent ?? this.traceparent?.(),
      idOf: options.idOf,
    });
    const stored = { topic, ...record, eventId: record.headers.eventId!, kind: 'domain-event' as const };
    return this.store([stored])[0]!;
  }

  // --- the spy ---

  waitForPublished(match: PublishedMatch, options: { timeoutMs?: number } = {}): Promise<PublishedRecord> {
    const test = typeof match === 'string' ? (r: PublishedRecord) => r.eventId === match : match;
    const found = this.records.find(test);
    if (found !== undefined) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: test,
        resolve: (record) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(record);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const what = typeof match === 'string' ? `event ${match}` : 'a matching record';
        const seen = this.records.map((r) => `${r.eventId} → ${r.topic}`).join(', ') || 'nothing';
        reject(new Error(`No ${what} was published within ${timeoutMs} ms; published: ${seen}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  onPublish(listener: (record: PublishedRecord) => unknown): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  failNext(error: Error): void {
    this.nextFailure = error;
  }

  clear(): void {
    this.records.length = 0;
    this.offsets.clear();
  }

  // --- internals ---

  /** The real producer's lifecycle errors, an aborted signal, and a failure set with failNext. */
  private ready(operation: string, signal: AbortSignal | undefined): void {
    if (this.state === 'idle') throw new ProducerNotConnectedError(operation);
    if (this.state === 'closed') throw new ProducerClosedError(operation);
    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      throw reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
    }
    const failure = this.nextFailure;
    this.nextFailure = undefined;
    if (failure !== undefined) throw failure;
  }

  private encodeOptions(
    options: { traceparent?: string; tracestate?: string },
    identity: ReadonlyArray<string | number> | undefined,
  ): EncodeOptions {
    const traceparent = options.traceparent ?? this.traceparent?.();
    return {
      keyStrategy: this.opts.keyStrategy,
      source: this.opts.source,
      ...(identity === undefined ? {} : { identity }),
      ...(traceparent === undefined ? {} : { traceparent }),
      ...(options.tracestate === undefined ? {} : { tracestate: options.tracestate }),
    };
  }

  private topicFor(env: string, override: string | undefined): string {
    if (override !== undefined) {
      assertTopicName(override);
      return override;
    }
    return this.fixedTopic ?? environmentTopic(env);
  }

  /**
   * Checks every record (its topic exists, it fits the topic's max.message.bytes) before storing any, as the real
   * producer checks a whole batch before queueing it; then stores them and tells the listeners and waiters.
   */
  private store(items: readonly OutRecord[]): PublishResult[] {
    for (const record of items) {
      const info = this.topicInfo(record.topic);
      const size = recordSize(record) + RECORD_BATCH_OVERHEAD_BYTES;
      const limit = info.maxMessageBytes ?? this.opts.defaultMaxMessageBytes;
      if (size > limit) throw new MessageTooLargeError(record.topic, size, limit, record.eventId);
    }
    return items.map((record) => {
      const { topic, kind } = record;
      const partition = partitionForKey(record.key, this.topicInfo(topic).partitions ?? 1);
      const slot = `${topic}/${partition}`;
      const offset = this.offsets.get(slot) ?? 0;
      this.offsets.set(slot, offset + 1);
      const stored = {
        topic,
        partition,
        offset: String(offset),
        key: record.key,
        value: record.value,
        headers: Object.freeze({ ...record.headers }),
        eventId: record.eventId,
        kind,
        event: JSON.parse(record.value) as never,
      } as PublishedRecord;
      this.records.push(stored);
      this.notify(stored);
      return { eventId: stored.eventId, topic, partition, offset: stored.offset, key: stored.key };
    });
  }

  private topicInfo(topic: string): InMemoryTopic {
    if (this.topics === undefined) return {};
    const info = this.topics.get(topic);
    if (info === undefined) throw new UnknownTopicError(topic);
    return info;
  }

  private notify(record: PublishedRecord): void {
    for (const waiter of [...this.waiters]) if (waiter.match(record)) waiter.resolve(record);
    for (const listener of this.listeners) {
      let result: unknown;
      try {
        result = listener(record);
      } catch (error) {
        this.listenerFailure.push(asError(error));
        continue;
      }
      if (result instanceof Promise) {
        const tracked: Promise<unknown> = result.then(
          () => this.pending.delete(tracked),
          (error: unknown) => {
            this.pending.delete(tracked);
            this.listenerFailure.push(asError(error));
          },
        );
        this.pending.add(tracked);
      }
    }
  }
}
