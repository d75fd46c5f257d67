/**
 * Maps kafkajs errors (and the chains of causes kafkajs wraps them in) to the producer's typed errors.
 * Programmer errors (TypeError, RangeError, …) and SDK errors pass through unchanged.
 */
import { isVmwEventsError } from '@org/vmware-events-schema';
import {
  AuthenticationError,
  AuthorizationError,
  BrokerUnavailableError,
  MessageTooLargeError,
  SendFailedError,
  UnknownTopicError,
} from '../errors.js';

/** What the mapper needs to know about the producer. */
export interface ErrorContext {
  brokers: readonly string[];
  principal: string;
  saslMechanism: string | undefined;
  topic?: string;
  /** Limit to report when the broker itself rejects a record as too large. */
  limitBytes?: number;
  sizeBytes?: number;
}

interface KafkaJsLike {
  name?: string;
  type?: string;
  retriable?: boolean;
  retryCount?: number;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

const PROGRAMMER_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);
const UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);
const UNAVAILABLE_PROTOCOL = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NETWORK_EXCEPTION',
  'BROKER_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_CONTROLLER',
  'KAFKA_STORAGE_ERROR',
]);

function isProgrammerError(error: unknown): boolean {
  return error instanceof Error && PROGRAMMER_ERRORS.has(error.name);
}

/** The innermost meaningful error of a kafkajs error chain (retries-exceeded wrappers are peeled off). */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    const e = current as KafkaJsLike | null;
    if (typeof e !== 'object' || e === null) return current;
    const wrapper = e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError';
    if (wrapper && e.cause !== undefined && e.cause !== null && e.cause !== current) {
      current = e.cause;
      continue;
    }
    if (e.name === 'KafkaJSNumberOfRetriesExceeded' && e.originalError !== undefined) {
      current = e.originalError;
      continue;
    }
    if (e.name === 'KafkaJSAggregateError' && Array.isArray(e.errors) && e.errors.length > 0) {
      current = e.errors[0];
      continue;
    }
    return current;
  }
  return current;
}

/** Converts any error thrown by kafkajs into the producer's error for it. */
export function mapKafkaError(error: unknown, ctx: ErrorContext): unknown {
  if (isVmwEventsError(error)) return error;
  if (isProgrammerError(error)) return error;
  const outer = error as KafkaJsLike | null;
  const root = rootCause(error) as KafkaJsLike | null;
  if (isProgrammerError(root)) return root;
  const name = root?.name ?? '';
  const type = root?.type ?? '';
  const topic = ctx.topic;
  if (
    name === 'KafkaJSSASLAuthenticationError' ||
    type === 'SASL_AUTHENTICATION_FAILED' ||
    type === 'ILLEGAL_SASL_STATE'
  ) {
    return new AuthenticationError(ctx.saslMechanism, error);
  }
  if (type === 'TOPIC_AUTHORIZATION_FAILED') {
    return new AuthorizationError(topic ?? '(unknown topic)', ctx.principal, 'WRITE', error);
  }
  if (type === 'CLUSTER_AUTHORIZATION_FAILED') {
    return new AuthorizationError(topic ?? '(cluster)', ctx.principal, 'WRITE', error);
  }
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' && topic !== undefined)
    return new UnknownTopicError(topic, error);
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
    return new MessageTooLargeError(
      topic ?? '(unknown topic)',
      ctx.sizeBytes ?? -1,
      ctx.limitBytes ?? -1,
      undefined,
      error,
    );
  }
  const retries =
    (outer?.name === 'KafkaJSNumberOfRetriesExceeded' ? outer.retryCount : undefined) ?? undefined;
  if (UNAVAILABLE.has(name) || UNAVAILABLE_PROTOCOL.has(type)) {
    return new BrokerUnavailableError(ctx.brokers, retries === undefined ? undefined : retries + 1, error);
  }
  return new SendFailedError(topic, root?.retriable === true, error);
}
