/**
 * Errors raised by the producer. Each failure kind has its own class and code; `retriable` is fixed by the
 * class: true only when a broker or network condition makes repeating the same call sensible.
 * Recognise them with {@link isProducerError} (a `Symbol.for` brand, safe across ESM/CJS copies), not `instanceof`.
 */
import { VmwEventsError, isVmwEventsError } from '@org/vmware-events-schema';
import type { ErrorCode } from '@org/vmware-events-schema';

/** Every code a producer error can carry (besides the shared `SCHEMA_VALIDATION`, `INVALID_OPTIONS`, …). */
export const PRODUCER_ERROR_CODES = [
  'PRODUCER_CLOSED',
  'PRODUCER_NOT_CONNECTED',
  'PRODUCER_AUTHENTICATION',
  'PRODUCER_AUTHORIZATION',
  'PRODUCER_UNKNOWN_TOPIC',
  'PRODUCER_MESSAGE_TOO_LARGE',
  'PRODUCER_BROKER_UNAVAILABLE',
  'PRODUCER_BUFFER_FULL',
  'PRODUCER_SEND_FAILED',
  'PRODUCER_NOT_ACKNOWLEDGED',
] as const;

/** A code from {@link PRODUCER_ERROR_CODES}. */
export type ProducerErrorCode = (typeof PRODUCER_ERROR_CODES)[number];

/** Base class of the producer's own errors. */
export class ProducerError extends VmwEventsError {
  declare readonly code: ProducerErrorCode;
  constructor(code: ProducerErrorCode, message: string, retriable: boolean, cause?: unknown) {
    super(code, message, { retriable, cause });
    this.name = 'ProducerError';
  }
}

/** The producer was disconnected (or is disconnecting): no more publishing. */
export class ProducerClosedError extends ProducerError {
  constructor(operation: string) {
    super('PRODUCER_CLOSED', `Cannot ${operation}: the producer is closed (disconnect() was called).`, false);
    this.name = 'ProducerClosedError';
  }
}

/** A publish was attempted before `connect()`. */
export class ProducerNotConnectedError extends ProducerError {
  constructor(operation: string) {
    super('PRODUCER_NOT_CONNECTED', `Cannot ${operation}: call 'await producer.connect()' first.`, false);
    this.name = 'ProducerNotConnectedError';
  }
}

/** The brokers rejected the credentials (SASL). The message never contains the username or password. */
export class AuthenticationError extends ProducerError {
  /** The SASL mechanism that failed, e.g. `scram-sha-512`. */
  readonly mechanism: string | undefined;
  constructor(mechanism: string | undefined, cause?: unknown) {
    super(
      'PRODUCER_AUTHENTICATION',
      `The brokers rejected the ${mechanism ? `SASL ${mechanism}` : 'connection'} credentials in options.sasl; ` +
        'check the username, password and mechanism configured for this service.',
      false,
      cause,
    );
    this.name = 'AuthenticationError';
    this.mechanism = mechanism;
  }
}

/**
 * The principal may not write to (or describe) the topic. `principal` names it (`User:<name>`) as data for the
 * operator; the message itself does not contain the username, so logging the message is safe.
 */
export class AuthorizationError extends ProducerError {
  /** The topic the principal was refused on. */
  readonly topic: string;
  /** The Kafka principal the producer authenticates as, e.g. `User:svc-provisioner` (or `User:ANONYMOUS`). */
  readonly principal: string;
  constructor(topic: string, principal: string, operation: 'WRITE' | 'DESCRIBE', cause?: unknown) {
    super(
      'PRODUCER_AUTHORIZATION',
      `Not authorized to ${operation === 'WRITE' ? 'write to' : 'describe'} topic "${topic}": ask the cluster ` +
        `operator for a ${operation} ACL on it for this service's principal (see error.principal).`,
      false,
      cause,
    );
    this.name = 'AuthorizationError';
    this.topic = topic;
    this.principal = principal;
  }
}

/** The topic does not exist (and the SDK never creates topics implicitly). */
export class UnknownTopicError extends ProducerError {
  /** The missing topic. */
  readonly topic: string;
  constructor(topic: string, cause?: unknown) {
    super(
      'PRODUCER_UNKNOWN_TOPIC',
      `Topic "${topic}" does not exist on the cluster: create it (or fix options.topic) before publishing.`,
      false,
      cause,
    );
    this.name = 'UnknownTopicError';
    this.topic = topic;
  }
}

/** A serialized record is larger than the topic accepts (`max.message.bytes`); checked before sending. */
export class MessageTooLargeError extends ProducerError {
  /** The topic whose limit is exceeded. */
  readonly topic: string;
  /** Serialized size of the record (key + value + headers + record overhead), in bytes. */
  readonly sizeBytes: number;
  /** The topic's `max.message.bytes`. */
  readonly limitBytes: number;
  /** The event id of the offending record, when known. */
  readonly eventId: string | undefined;
  constructor(topic: string, sizeBytes: number, limitBytes: number, eventId?: string, cause?: unknown) {
    super(
      'PRODUCER_MESSAGE_TOO_LARGE',
      `Record${eventId ? ` for event ${eventId}` : ''} is ${sizeBytes} bytes, more than topic "${topic}" accepts ` +
        `(max.message.bytes=${limitBytes}); shrink the event (e.g. notes) or raise the topic's max.message.bytes.`,
      false,
      cause,
    );
    this.name = 'MessageTooLargeError';
    this.topic = topic;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
    this.eventId = eventId;
  }
}

/** No broker answered within the configured retries; the send may be repeated later. */
export class BrokerUnavailableError extends ProducerError {
  /** The broker addresses the producer was configured with. */
  readonly brokers: readonly string[];
  constructor(brokers: readonly string[], attempts: number | undefined, cause?: unknown) {
    super(
      'PRODUCER_BROKER_UNAVAILABLE',
      `Kafka brokers ${brokers.join(', ')} are unavailable` +
        (attempts === undefined ? '' : ` (gave up after ${attempts} attempts)`) +
        `: ${describeCause(cause)}. Check that the brokers are running and reachable; the call may be repeated.`,
      true,
      cause,
    );
    this.name = 'BrokerUnavailableError';
    this.brokers = brokers;
  }
}

/** The send buffer stayed full for `maxBlockMs`: the brokers are slower than the publishing rate. */
export class BufferFullError extends ProducerError {
  constructor(bufferMemoryBytes: number, maxBlockMs: number) {
    super(
      'PRODUCER_BUFFER_FULL',
      `The send buffer (${bufferMemoryBytes} bytes) stayed full for ${maxBlockMs} ms: the brokers accept ` +
        'records more slowly than they are published. Slow down, or raise bufferMemoryBytes / maxBlockMs.',
      true,
    );
    this.name = 'BufferFullError';
  }
}

/** Any other broker-side failure of a send; `retriable` follows the broker's verdict. */
export class SendFailedError extends ProducerError {
  constructor(topic: string | undefined, retriable: boolean, cause?: unknown) {
    super(
      'PRODUCER_SEND_FAILED',
      `Sending to ${topic ? `topic "${topic}"` : 'Kafka'} failed: ${describeCause(cause)}.`,
      retriable,
      cause,
    );
    this.name = 'SendFailedError';
  }
}

/**
 * The brokers answered a send without acknowledging some of its partitions, and re-sending those partitions' records
 * did not get them acknowledged within the retries and `deliveryTimeoutMs`. Whether they were written is unknown (a
 * leader may have appended them before it died): publish the events again; their event ids let consumers drop a
 * duplicate. The message names topic and partitions only, never event data.
 */
export class NotAcknowledgedError extends ProducerError {
  /** The topic of the records. */
  readonly topic: string;
  /** The partitions the brokers never acknowledged, ascending. */
  readonly partitions: readonly number[];
  /** How many sends carried these records (the first one and the re-sends). */
  readonly attempts: number;
  constructor(topic: string, partitions: readonly number[], attempts: number, cause?: unknown) {
    const list = partitions.length === 0 ? '(unknown)' : partitions.join(', ');
    super(
      'PRODUCER_NOT_ACKNOWLEDGED',
      `The brokers did not acknowledge partition${partitions.length === 1 ? '' : 's'} ${list} of topic "${topic}" ` +
        `after ${attempts} send${attempts === 1 ? '' : 's'} (the leaders moved or failed): these records may or may ` +
        'not be written. Publish them again later; their event ids let consumers drop a duplicate.',
      true,
      cause,
    );
    this.name = 'NotAcknowledgedError';
    this.topic = topic;
    this.partitions = Object.freeze([...partitions]);
    this.attempts = attempts;
  }
}

/** True for any producer error (any copy of the SDK); with `code`, only for that code. */
export function isProducerError(error: unknown, code?: ProducerErrorCode): error is ProducerError {
  if (!isVmwEventsError(error)) return false;
  const actual: ErrorCode = error.code;
  return code === undefined ? actual.startsWith('PRODUCER_') : actual === code;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return typeof cause === 'string' ? cause : 'unknown error';
}
