/**
 * Where the bridge publishes: an `EventSink` that resolves only once Kafka has acknowledged every
 * record of a batch. The default implementation is an idempotent kafkajs producer (acks=all, one
 * request in flight, so per-partition order is the read order).
 */
import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { buildEventHeaders } from '@org/vmware-events-schema';
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
}

/** An {@link EventSink} on a kafkajs idempotent producer. */
export function createKafkaSink(options: KafkaSinkOptions): EventSink {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: KafkaLogLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    connectionTimeout: 3000,
  });
  let producer: Producer | undefined;
  let connecting: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    connecting ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      try {
        await p.connect();
        producer = p;
      } catch (error) {
        connecting = undefined;
        await p.disconnect().catch(() => undefined);
        throw error;
      }
    })();
    return connecting;
  };
  return {
    connect: ensure,
    async publish(records) {
      await ensure();
      const canonical = records.filter((r) => r.kind === 'canonical');
      const raw = records.filter((r) => r.kind === 'raw');
      const topicMessages = [];
      if (canonical.length > 0) {
        topicMessages.push({
          topic: options.topic,
          messages: canonical.map((r) => ({
            key: r.event.operationInfo.vmId,
            value: JSON.stringify(r.event),
            headers: canonicalHeaders(r.event),
          })),
        });
      }
      if (raw.length > 0) {
        topicMessages.push({
          topic: options.rawTopic,
          messages: raw.map((r) => ({
            key: r.key,
            value: JSON.stringify(r.event),
            headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
          })),
        });
      }
      if (topicMessages.length === 0) return;
      try {
        await producer!.sendBatch({ topicMessages, acks: -1 });
      } catch (error) {
        // A producer that failed may hold a broken connection: rebuild it on the next attempt.
        const old = producer;
        producer = undefined;
        connecting = undefined;
        await old?.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async disconnect() {
      const p = producer;
      producer = undefined;
      connecting = undefined;
      await p?.disconnect();
    },
  };
}
