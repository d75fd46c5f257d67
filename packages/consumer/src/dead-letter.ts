import { isVmwEventsError } from '@org/vmware-events-schema';
import type { DeadLetterReason, RawRecord } from './types.js';

/** Header names written on every dead-letter record (Spring Kafka's `kafka_dlt-*` plus ours). */
export const DLT_HEADERS = {
  exceptionFqcn: 'kafka_dlt-exception-fqcn',
  exceptionCauseFqcn: 'kafka_dlt-exception-cause-fqcn',
  exceptionMessage: 'kafka_dlt-exception-message',
  originalTopic: 'kafka_dlt-original-topic',
  originalPartition: 'kafka_dlt-original-partition',
  originalOffset: 'kafka_dlt-original-offset',
  originalTimestamp: 'kafka_dlt-original-timestamp',
  originalTimestampType: 'kafka_dlt-original-timestamp-type',
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  reason: 'x-dlt-reason',
  attempts: 'x-dlt-attempts',
  errorCode: 'x-dlt-error-code',
} as const;

const MAX_MESSAGE_CHARS = 2000;
const OWN_HEADER = /^(kafka_dlt-|x-dlt-)/;

/** A record ready to be sent (kafkajs `Message` shape). */
export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | Array<Buffer | string>>;
  partition?: number;
}

/** What is known about a dead-lettered record, read back from its headers. */
export interface DeadLetterInfo {
  /** Our reason code (`x-dlt-reason`). */
  reason: string | undefined;
  /** Handler calls made before giving up (`x-dlt-attempts`). */
  attempts: number | undefined;
  /** Error class (`kafka_dlt-exception-fqcn`). */
  exceptionClass: string | undefined;
  /** SDK error code, when the error had one (`x-dlt-error-code`). */
  errorCode: string | undefined;
  /** Error message (`kafka_dlt-exception-message`). */
  message: string | undefined;
  /** Where the record came from. */
  original: {
    topic: string | undefined;
    partition: number | undefined;
    offset: string | undefined;
    timestamp: string | undefined;
    consumerGroup: string | undefined;
  };
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function int64(value: string): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(value));
  return buffer;
}

function errorClass(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)) {
    return String(error.name);
  }
  return typeof error;
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

/** Options of {@link buildDeadLetterRecord}. */
export interface DeadLetterInput {
  /** The record that failed. */
  record: RawRecord;
  /** Why. */
  reason: DeadLetterReason;
  /** The error (class and message go into headers; never the event data). */
  error: unknown;
  /** Handler calls made (0 when the handler never ran). */
  attempts: number;
  /** Consumer group that read the record. */
  groupId: string;
}

/**
 * The dead-letter copy of a record: its key and value bytes untouched, its headers, plus Spring-Kafka
 * compatible `kafka_dlt-*` headers (partition as 4-byte and offset/timestamp as 8-byte big-endian
 * integers) and our `x-dlt-reason`, `x-dlt-attempts`, `x-dlt-error-code`. Dead-letter headers from
 * an earlier trip through the dead-letter topic are replaced.
 */
export function buildDeadLetterRecord(input: DeadLetterInput): OutgoingRecord {
  const { record, reason, error, attempts, groupId } = input;
  const headers: OutgoingRecord['headers'] = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined && !OWN_HEADER.test(name)) headers[name] = value;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  headers[DLT_HEADERS.exceptionFqcn] = Buffer.from(errorClass(error));
  if (cause !== undefined) headers[DLT_HEADERS.exceptionCauseFqcn] = Buffer.from(errorClass(cause));
  headers[DLT_HEADERS.exceptionMessage] = Buffer.from(errorMessage(error));
  headers[DLT_HEADERS.originalTopic] = Buffer.from(record.topic);
  headers[DLT_HEADERS.originalPartition] = int32(record.partition);
  headers[DLT_HEADERS.originalOffset] = int64(record.offset);
  headers[DLT_HEADERS.originalTimestamp] = int64(record.timestamp);
  headers[DLT_HEADERS.originalTimestampType] = Buffer.from('CREATE_TIME');
  headers[DLT_HEADERS.originalConsumerGroup] = Buffer.from(groupId);
  headers[DLT_HEADERS.reason] = Buffer.from(reason);
  headers[DLT_HEADERS.attempts] = Buffer.from(String(attempts));
  if (isVmwEventsError(error)) headers[DLT_HEADERS.errorCode] = Buffer.from(error.code);
  return { key: record.key, value: record.value, headers };
}

function headerBuffer(headers: RawRecord['headers'], name: string): Buffer | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? Buffer.from(first) : first;
}

/** Read the dead-letter headers of a record from the dead-letter topic. */
export function readDeadLetterInfo(headers: RawRecord['headers']): DeadLetterInfo {
  const text = (name: string) => headerBuffer(headers, name)?.toString('utf8');
  const partition = headerBuffer(headers, DLT_HEADERS.originalPartition);
  const offset = headerBuffer(headers, DLT_HEADERS.originalOffset);
  const timestamp = headerBuffer(headers, DLT_HEADERS.originalTimestamp);
  const attempts = text(DLT_HEADERS.attempts);
  return {
    reason: text(DLT_HEADERS.reason),
    attempts: attempts === undefined ? undefined : Number(attempts),
    exceptionClass: text(DLT_HEADERS.exceptionFqcn),
    errorCode: text(DLT_HEADERS.errorCode),
    message: text(DLT_HEADERS.exceptionMessage),
    original: {
      topic: text(DLT_HEADERS.originalTopic),
      partition: partition?.length === 4 ? partition.readInt32BE() : undefined,
      offset: offset?.length === 8 ? offset.readBigInt64BE().toString() : undefined,
      timestamp: timestamp?.length === 8 ? timestamp.readBigInt64BE().toString() : undefined,
      consumerGroup: text(DLT_HEADERS.originalConsumerGroup),
    },
  };
}

/** The headers of a dead-lettered record without the dead-letter ones: what a replay sends. */
export function stripDeadLetterHeaders(headers: RawRecord['headers']): OutgoingRecord['headers'] {
  const out: OutgoingRecord['headers'] = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !OWN_HEADER.test(name)) out[name] = value;
  }
  return out;
}
