/**
 * Delivery of one request's records: send, check the answer against what was sent, re-send what it did not
 * acknowledge. The re-send goes out on the same idempotent producer: kafkajs advances a partition's sequence number
 * only for a request that was answered (it rolls the numbers back when a request fails), so the re-sent records carry
 * the sequence numbers they were first sent with, and a broker that did append them (a leader that died after writing)
 * answers with their offset instead of writing them twice. See docs/producer.md, "Acknowledged means written".
 */
import type { Message } from 'kafkajs';
import { NotAcknowledgedError } from '../errors.js';
import type { ProducerLogger } from '../types.js';
import { acknowledgedPartitions, distinctPartitions, recordOffsets } from './acknowledgement.js';
import type { PartitionAnswer } from './acknowledgement.js';

/** What delivering needs: the send itself, and when to stop re-sending. */
export interface DeliveryOptions {
  /** One request with these messages of the topic, on the current idempotent producer. */
  send: (messages: Message[]) => Promise<PartitionAnswer[]>;
  /** Re-sends allowed after the first send. */
  retries: number;
  /** Backoff before the first re-send (ms); doubles with every re-send, with ±20 % jitter. */
  initialRetryTimeMs: number;
  /** Longest backoff (ms). */
  maxRetryTimeMs: number;
  /** No re-send starts after this time (epoch ms). */
  deadline: number;
  log: ProducerLogger;
  /** Waits between re-sends (replaceable in tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of delivering one request's messages. */
export interface Delivery {
  /** Each message's offset, in the order given; undefined for a message that was not acknowledged. */
  offsets: Array<string | undefined>;
  /**
   * Why the messages without an offset have none: the error a send threw (its outcome is unknown), or a
   * {@link NotAcknowledgedError} when the re-sends ran out. Undefined when every message has its offset.
   */
  failure: unknown;
}

/**
 * Sends `messages` of `topic` (or starts from `firstAnswer`, the answer of a send already made) and re-sends the
 * messages of every partition the answer did not acknowledge, with backoff, until all are acknowledged, the retries
 * are used up or the deadline passes. Never throws: a failed send ends the delivery with that error as `failure`.
 */
export async function deliver(
  topic: string,
  messages: ReadonlyArray<Message & { partition?: number | undefined }>,
  options: DeliveryOptions,
  firstAnswer?: PartitionAnswer[],
): Promise<Delivery> {
  const offsets = new Array<string | undefined>(messages.length).fill(undefined);
  let pending = messages.map((_, i) => i);
  let answer = firstAnswer;
  for (let sends = firstAnswer === undefined ? 0 : 1; ;) {
    if (answer === undefined) {
      try {
        answer = await options.send(pending.map((i) => messages[i]!));
      } catch (error) {
        return { offsets, failure: error };
      }
      sends++;
    }
    const acknowledged = acknowledgedPartitions(topic, answer);
    const found = recordOffsets(
      pending.map((i) => messages[i]!.partition),
      acknowledged,
    );
    const missing: number[] = [];
    pending.forEach((i, k) => {
      if (found[k] === undefined) missing.push(i);
      else offsets[i] = found[k];
    });
    if (missing.length === 0) return { offsets, failure: undefined };
    pending = missing;
    answer = undefined;
    const partitions = distinctPartitions(pending.map((i) => messages[i]!.partition));
    const delay = backoff(sends - 1, options);
    if (sends > options.retries || Date.now() + delay > options.deadline) {
      const failure = new NotAcknowledgedError(topic, partitions, sends);
      options.log.error('brokers never acknowledged these partitions; their records fail', {
        topic,
        partitions,
        records: pending.length,
        sends,
      });
      return { offsets, failure };
    }
    options.log.warn('the answer did not acknowledge every partition sent; re-sending their records', {
      topic,
      partitions,
      records: pending.length,
      acknowledged: [...acknowledged.keys()],
      delayMs: Math.round(delay),
    });
    await (options.sleep ?? sleep)(delay);
  }
}

/** Exponential backoff with ±20 % jitter (the same shape as kafkajs's own retries). */
function backoff(resend: number, options: DeliveryOptions): number {
  const base = Math.min(options.maxRetryTimeMs, options.initialRetryTimeMs * 2 ** resend);
  return base * (0.8 + Math.random() * 0.4);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
