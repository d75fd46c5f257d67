/**
 * Where the bridge publishes: an `EventSink` that resolves only once Kafka has acknowledged every
 * record of a batch. Canonical events go through the SDK producer (@org/vmware-events-producer:
 * validation, keys, headers, idempotent acks=all sends); raw CloudEvents, which are not canonical
 * events, through a plain idempotent kafkajs producer.
 */
import type { EventProducer, createProducer } from '@org/vmware-events-producer';

type ProducerModule = { createProducer: typeof createProducer };
import { buildEventHeaders } from '@org/vmware-events-schema';
import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
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

/** Kafka headers of a canonical event (docs/architecture.md, schema `event-headers` v1). */
export function canonicalHeaders(event: CanonicalEvent): Record<string, string> {
  return { ...buildEventHeaders(event) };
}

/** Options of {@link createKafkaSink}. */
export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
  readonly rawTopic: string;
  readonly logger?: Logger;
}

/** An {@link EventSink}: canonical events through the SDK producer, raw CloudEvents through kafkajs. */
export function createKafkaSink(options: KafkaSinkOptions): EventSink {
  // The bridge retries a failed batch itself (forever, holding reads): a short producer retry keeps it responsive.
  let producer: EventProducer | undefined;
  // Loaded lazily: when the SDK producer cannot be loaded in this runtime, canonical events go through
  // the built-in kafkajs path below with the same key, headers and value (and a warning says so).
  let sdk: Promise<ProducerModule | undefined> | undefined;
  const loadSdk = () =>
    (sdk ??= (import('@org/vmware-events-producer') as Promise<ProducerModule>).catch((error: unknown) => {
      options.logger?.warn(
        'the SDK producer could not be loaded; publishing canonical events with kafkajs directly',
        {
          error: error instanceof Error ? error.message : String(error),
        },
      );
      return undefined;
    }));
  const newProducer = (mod: ProducerModule) =>
    mod.createProducer({
      brokers: [...options.brokers],
      clientId: options.clientId,
      topic: { name: options.topic },
      lingerMs: 0,
      retry: { retries: 3, initialRetryTimeMs: 200, maxRetryTimeMs: 2000 },
      kafkaLogLevel: 'nothing',
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const kafka = new Kafka({
    clientId: `${options.clientId}-raw`,
    brokers: [...options.brokers],
    logLevel: KafkaLogLevel.NOTHING,
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
  /** The SDK producer, or undefined when it cannot be loaded here. */
  const canonicalProducer = async (): Promise<EventProducer | undefined> => {
    const mod = await loadSdk();
    if (!mod) return undefined;
    producer ??= newProducer(mod);
    await producer.connect();
    return producer;
  };
  const sendCanonical = async (events: CanonicalEvent[]): Promise<void> => {
    const p = await canonicalProducer();
    if (p) {
      await p.publishBatch(events);
      return;
    }
    const r = await rawProducer();
    await r.send({
      topic: options.topic,
      acks: -1,
      messages: events.map((e) => ({
        key: e.operationInfo.vmId,
        value: JSON.stringify(e),
        headers: canonicalHeaders(e),
      })),
    });
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
          rawProducer()
            .then((p) =>
              p.send({
                topic: options.rawTopic,
                acks: -1,
                messages: rawRecords.map((r) => ({
                  key: r.key,
                  value: JSON.stringify(r.event),
                  headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
                })),
              }),
            )
            .catch(async (error: unknown) => {
              const old = raw;
              raw = undefined;
              rawConnecting = undefined;
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
      await Promise.allSettled([p?.disconnect(), r?.disconnect()]);
    },
  };
}
