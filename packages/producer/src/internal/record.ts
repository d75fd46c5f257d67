/**
 * The record on its way to Kafka and the result of its publish: what the producer keeps of one event between the
 * record codec (which made its key, value and headers) and the broker's answer.
 */
import { recordSize } from '@org/vmware-events-schema';
import type { WireHeaders } from '@org/vmware-events-schema';
import type { PublishResult } from '../types.js';

/** The kafkajs message of a record. */
export interface OutMessage {
  key: string;
  value: string;
  headers: WireHeaders;
  /**
   * Undefined until kafkajs sends the message: the producer's partitioner (internal/partitioner.ts) writes the
   * partition it chose here, so the result can name it and a re-send keeps the record on it.
   */
  partition: number | undefined;
}

/**
 * One record on its way to Kafka. It lives until the broker answers, so every field it has is there from the start
 * (the message's `partition` too): a property added later would cost an extra allocation per outstanding record,
 * which the garbage collector then copies.
 */
export interface OutRecord {
  readonly topic: string;
  readonly message: OutMessage;
  readonly eventId: string;
  /** What the record weighs in a record batch (the codec's `recordSize`), for the size check and splitting requests. */
  readonly size: number;
}

/**
 * The record of an encoded event for `topic`. The value stays the JSON text: kafkajs writes it straight into the
 * request as UTF-8 (no intermediate Buffer).
 */
export function outRecord(
  encoded: { key: string; value: string; headers: WireHeaders },
  eventId: string,
  topic: string,
): OutRecord {
  const message: OutMessage = {
    key: encoded.key,
    value: encoded.value,
    headers: encoded.headers,
    partition: undefined,
  };
  return { topic, message, eventId, size: recordSize(message) };
}

/** What a publish resolves with for one record: where the broker acknowledged it. */
export function resultOf(record: OutRecord, partition: number, offset: string): PublishResult {
  return {
    eventId: record.eventId,
    topic: record.topic,
    partition,
    offset,
    key: record.message.key,
  };
}
