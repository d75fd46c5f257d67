/**
 * The sender: the producer's one kafkajs idempotent producer, and every send made on it. The batcher calls it one send
 * at a time (see internal/batcher.ts), which is what keeps kafkajs's idempotent producer correct.
 *
 * - A send goes one topic per request (a topic the principal may not write, or that is gone, fails only its own
 *   records), in requests that fit the topic's `max.message.bytes`.
 * - Offsets: a record's offset is what the broker's answer acknowledged for its partition (internal/acknowledgement.ts);
 *   what an answer does not acknowledge is re-sent on the same producer (internal/delivery.ts).
 * - Reset after a failed send: the outcome of a failed send is unknown (the broker may have appended the batch), so
 *   the next send first replaces the kafkajs producer (a new producer id; see {@link Sender.reset}).
 */
import type { CompressionTypes, Message, Producer, RecordMetadata } from 'kafkajs';
import { ProducerClosedError, isProducerError } from '../errors.js';
import type { ResolvedProducerOptions } from '../options.js';
import type { ProducerLogger, PublishResult } from '../types.js';
import { acknowledgedBaseOffset } from './acknowledgement.js';
import { deliver } from './delivery.js';
import type { Delivery } from './delivery.js';
import { mapKafkaError } from './error-mapping.js';
import type { ErrorContext } from './error-mapping.js';
import { resultOf } from './record.js';
import type { OutMessage, OutRecord } from './record.js';
import { splitBySize } from './topics.js';

/** What the sender needs. */
export interface SenderOptions {
  /** A new kafkajs idempotent producer (connected by the sender). */
  newProducer: () => Producer;
  /** The limit to split a topic's records into requests by (its `max.message.bytes`). */
  requestLimit: (topic: string) => number;
  compression: CompressionTypes;
  requestTimeoutMs: number;
  /** Re-sends of what an answer did not acknowledge: how many, with which backoff. */
  retry: ResolvedProducerOptions['retry'];
  /** No re-send starts later than this after the first send, ms. */
  deliveryTimeoutMs: number;
  errorContext: ErrorContext;
  log: ProducerLogger;
}

/** See the module comment. */
export class Sender {
  private readonly opts: SenderOptions;
  private producer: Producer | undefined;
  /** Set by a failed send: its outcome is unknown, so the next send takes a new producer id first. */
  private resetBeforeNextSend = false;

  constructor(options: SenderOptions) {
    this.opts = options;
  }

  /** Connects a new kafkajs producer. */
  async connect(): Promise<void> {
    const producer = this.opts.newProducer();
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
  }

  /** Disconnects the kafkajs producer; later sends fail with ProducerClosedError. */
  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }

  /**
   * Sends the records and returns one result per record, in order: the record's position as the broker acknowledged
   * it, or the error that refused it (the batcher rejects the record's publish with it).
   */
  async send(records: OutRecord[]): Promise<Array<PublishResult | Error>> {
    const results = new Array<PublishResult | Error>(records.length);
    for (const [topic, indices] of byTopic(records)) {
      for (const chunk of splitBySize(indices, records, this.opts.requestLimit(topic))) {
        const messages = new Array<OutMessage>(chunk.length);
        for (let k = 0; k < chunk.length; k++) messages[k] = records[chunk[k]!]!.message;
        const { offsets, failure } = await this.deliver(topic, messages, Date.now());
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
   * An answer that does not acknowledge the record's partition takes the re-send path of {@link deliver}.
   */
  sendNow(record: OutRecord, settled: () => void): Promise<PublishResult> {
    const startedAt = Date.now();
    const { topic, message } = record;
    return this.request(topic, [message]).then(
      (answer) => {
        const offset = acknowledgedBaseOffset(topic, message.partition, answer);
        if (offset !== undefined) {
          settled();
          return resultOf(record, message.partition!, offset);
        }
        return this.deliver(topic, [message], startedAt, answer).then((delivery) => {
          const redelivered = delivery.offsets[0];
          settled();
          if (redelivered === undefined) throw this.deliveryFailed(delivery.failure, topic, 1);
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
  private deliver(
    topic: string,
    messages: OutMessage[],
    startedAt: number,
    answer?: RecordMetadata[],
  ): Promise<Delivery> {
    const { retries, initialRetryTimeMs, maxRetryTimeMs } = this.opts.retry;
    return deliver(
      topic,
      messages,
      {
        send: (batch) => this.request(topic, batch),
        retries,
        initialRetryTimeMs,
        maxRetryTimeMs,
        deadline: startedAt + this.opts.deliveryTimeoutMs,
        log: this.opts.log,
      },
      answer,
    );
  }

  /**
   * One request of one topic's messages, on a fresh producer id after a failed send (see {@link reset}). Not async:
   * kafkajs's promise is returned as it is (an async function would add two microtask hops to every send).
   */
  private request(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const producer = this.producer;
    if (producer === undefined) return Promise.reject(new ProducerClosedError('send'));
    if (this.resetBeforeNextSend) {
      return this.reset().then((fresh) => this.requestOn(fresh, topic, messages));
    }
    return this.requestOn(producer, topic, messages);
  }

  private requestOn(producer: Producer, topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    return producer.sendBatch({
      acks: -1,
      timeout: this.opts.requestTimeoutMs,
      compression: this.opts.compression,
      topicMessages: [{ topic, messages }],
    });
  }

  /**
   * After a failed send the outcome is unknown (the broker may have appended the batch). kafkajs rolls its
   * sequence numbers back, so the next batch could reuse them and be taken for a duplicate. Java bumps the
   * epoch; we take a new producer id by replacing the kafkajs producer before sending anything else.
   */
  private async reset(): Promise<Producer> {
    const old = this.producer;
    const fresh = this.opts.newProducer();
    await old?.disconnect().catch(() => undefined);
    await fresh.connect();
    this.producer = fresh;
    this.resetBeforeNextSend = false;
    this.opts.log.info('idempotent producer replaced after a failed send (new producer id)', {});
    return fresh;
  }

  /** The error for the records of a failed send, logged; the next send takes a new producer id (see reset). */
  private sendFailed(error: unknown, topic: string, records: number): Error {
    this.resetBeforeNextSend = true;
    const mapped = mapKafkaError(error, { ...this.opts.errorContext, topic });
    const failure = mapped instanceof Error ? mapped : new Error('send failed', { cause: mapped });
    this.opts.log.warn('send failed', {
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
      this.resetBeforeNextSend = true;
      return failure;
    }
    return this.sendFailed(failure, topic, records);
  }
}

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
