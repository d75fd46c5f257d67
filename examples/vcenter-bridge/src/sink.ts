/**
 * Where the bridge publishes: an `EventSink` that resolves only once Kafka has acknowledged every
 * record of a batch. Canonical events go through the SDK producer (@org/vmware-events-producer:
 * validation, keys, headers, idempotent acks=all sends); raw CloudEvents, which are not canonical
 * events, through a plain idempotent kafkajs producer (the SDK producer accepts canonical events only), as
 * structured-mode records of the schema package's record codec. The raw path applies the same rule as the SDK
 * producer's acknowledgement guard (docs/producer.md, "Acknowledged means written"): each record goes to a partition
 * chosen here, and the batch counts as written only when the answer acknowledges every one of those partitions.
 */
import { encodeStructuredCloudEvent } from '@org/vmware-events-schema';
import { NotAcknowledgedError, createProducer, partitionForKey } from '@org/vmware-events-producer';
import type { EventProducer } from '@org/vmware-events-producer';
import kafkajs from 'kafkajs';
import type { Admin, Message, Producer, RecordMetadata } from 'kafkajs';
import type { Logger } from './logger.js';
import type { CanonicalEvent, RawCloudEvent } from './types.js';

/** One record to publish. */
export type SinkRecord =
  | { readonly kind: 'canonical'; readonly event: CanonicalEvent }
  | { readonly kind: 'raw'; readonly key: string; readonly event: RawCloudEvent };

/** A destination that acknowledges whole batches. */
export interface EventSink {
  connect(): Promise<void>;
  /** Resolves when every record is acknowledged; rejects otherwise (the caller retries the whole batch). */
  publish(records: readonly SinkRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Options of {@link createKafkaSink}. */
export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
  readonly rawTopic: string;
  readonly logger?: Logger;
}

/** A base offset as a broker writes it for an appended batch (`-1` means "no offset"). */
const OFFSET = /^\d{1,19}$/;

/**
 * The partitions among `sent` that `answer` does not acknowledge for `topic` (not named, an error code, or no real
 * offset). kafkajs 2.2.4 can resolve a send without answers for some of its partitions when leaders move during it.
 */
export function unacknowledgedPartitions(
  topic: string,
  sent: readonly number[],
  answer: readonly RecordMetadata[],
): number[] {
  const acknowledged = new Set(
    answer
      .filter((a) => a.topicName === topic && a.errorCode === 0 && OFFSET.test(a.baseOffset ?? ''))
      .map((a) => a.partition),
  );
  return [...new Set(sent)].filter((p) => !acknowledged.has(p)).sort((a, b) => a - b);
}

/** An {@link EventSink}: canonical events through the SDK producer, raw CloudEvents through kafkajs. */
export function createKafkaSink(options: KafkaSinkOptions): EventSink {
  // The bridge retries a failed batch itself (forever, holding reads): a short producer retry keeps it responsive.
  let producer: EventProducer | undefined;
  const newProducer = () =>
    createProducer({
      brokers: [...options.brokers],
      clientId: options.clientId,
      topic: { name: options.topic },
      lingerMs: 0,
      retry: { retries: 3, initialRetryTimeMs: 200, maxRetryTimeMs: 2000 },
      kafkaLogLevel: 'nothing',
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const kafka = new kafkajs.Kafka({
    clientId: `${options.clientId}-raw`,
    brokers: [...options.brokers],
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    connectionTimeout: 3000,
  });
  let raw: Producer | undefined;
  let rawConnecting: Promise<Producer> | undefined;
  const rawProducer = (): Promise<Producer> => {
    rawConnecting ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      try {
        await p.connect();
      } catch (error) {
        rawConnecting = undefined;
        await p.disconnect().catch(() => undefined);
        throw error;
      }
      raw = p;
      return p;
    })();
    return rawConnecting;
  };
  // The raw topic's partition count, read once per raw producer (a failed send forgets it: it may have grown).
  let rawPartitionCount: Promise<number> | undefined;
  const readPartitionCount = async (): Promise<number> => {
    const admin: Admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [options.rawTopic] });
      const count = meta.topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new Error(`raw topic "${options.rawTopic}" has no partitions`);
      return count;
    } finally {
      await admin.disconnect();
    }
  };
  const sendRaw = async (records: ReadonlyArray<Extract<SinkRecord, { kind: 'raw' }>>): Promise<void> => {
    const p = await rawProducer();
    rawPartitionCount ??= readPartitionCount();
    const count = await rawPartitionCount;
    const messages: Message[] = records.map((r) => ({
      ...encodeStructuredCloudEvent(r.event, r.key),
      partition: partitionForKey(r.key, count),
    }));
    const answer = await p.send({ topic: options.rawTopic, acks: -1, messages });
    const missing = unacknowledgedPartitions(
      options.rawTopic,
      messages.map((m) => m.partition!),
      answer,
    );
    if (missing.length > 0) throw new NotAcknowledgedError(options.rawTopic, missing, 1);
  };
  const canonicalProducer = async (): Promise<EventProducer> => {
    producer ??= newProducer();
    await producer.connect();
    return producer;
  };
  const sendCanonical = async (events: CanonicalEvent[]): Promise<void> => {
    await (await canonicalProducer()).publishBatch(events);
  };
  return {
    async connect() {
      await canonicalProducer();
      await rawProducer();
    },
    async publish(records) {
      const canonical = records.flatMap((r) => (r.kind === 'canonical' ? [r.event] : []));
      const rawRecords = records.flatMap((r) => (r.kind === 'raw' ? [r] : []));
      const sends: Promise<unknown>[] = [];
      if (canonical.length > 0) {
        sends.push(
          sendCanonical(canonical).catch(async (error: unknown) => {
            // A producer whose send failed may hold a broken connection: rebuild it on the next attempt.
            const old = producer;
            producer = undefined;
            await old?.disconnect().catch(() => undefined);
            throw error;
          }),
        );
      }
      if (rawRecords.length > 0) {
        sends.push(
          sendRaw(rawRecords).catch(async (error: unknown) => {
            const old = raw;
            raw = undefined;
            rawConnecting = undefined;
            rawPartitionCount = undefined;
            await old?.disconnect().catch(() => undefined);
            throw error;
          }),
        );
      }
      // Both must be acknowledged before the caller checkpoints; on any failure the whole batch is retried.
      const results = await Promise.allSettled(sends);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async disconnect() {
      const p = producer;
      const r = raw;
      producer = undefined;
      raw = undefined;
      rawConnecting = undefined;
      rawPartitionCount = undefined;
      await Promise.allSettled([p?.disconnect(), r?.disconnect()]);
    },
  };
}
