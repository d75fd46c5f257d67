import type { KafkaMessage } from 'kafkajs';
import type { RawRecord } from '../types.js';

/** Record shape the pipeline uses, from a kafkajs message. */
export function toRawRecord(topic: string, partition: number, message: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
}
