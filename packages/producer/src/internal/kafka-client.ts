/**
 * The kafkajs side of the producer's options: the `Kafka` client (brokers, TLS, SASL, timeouts, retries, logging
 * through the injected logger with secrets scrubbed), the idempotent producers and admin clients made from it, and
 * what error messages may say about the connection (never a secret).
 */
import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import type { ResolvedProducerOptions } from '../options.js';
import type { ProducerLogger } from '../types.js';
import type { ErrorContext } from './error-mapping.js';
import { kafkaLogCreator } from './logging.js';
import { javaCompatiblePartitioner } from './partitioner.js';

/** Makes the kafkajs clients of one producer. */
export interface KafkaClients {
  /** A new idempotent producer: one request in flight, the Java client's partitioner, no topic auto-creation. */
  newProducer: () => Producer;
  /** A new admin client (for topic metadata). */
  newAdmin: () => Admin;
}

const KAFKA_LOG_LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

/** The kafkajs clients of the options (see the module comment). */
export function createKafkaClients(opts: ResolvedProducerOptions, log: ProducerLogger): KafkaClients {
  const secrets = opts.sasl ? [opts.sasl.password, opts.sasl.username] : [];
  const retry = () => ({
    retries: opts.retry.retries,
    initialRetryTime: opts.retry.initialRetryTimeMs,
    maxRetryTime: opts.retry.maxRetryTimeMs,
  });
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    ssl: opts.ssl,
    sasl: opts.sasl,
    connectionTimeout: opts.connectionTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    retry: retry(),
    logLevel: KAFKA_LOG_LEVELS[opts.kafkaLogLevel],
    logCreator: kafkaLogCreator(log, secrets),
  });
  return {
    newProducer: () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: javaCompatiblePartitioner,
        retry: retry(),
      }),
    newAdmin: () => kafka.admin({ retry: retry() }),
  };
}

/** What error messages say about the connection: brokers, principal and SASL mechanism (never a password). */
export function errorContextOf(opts: ResolvedProducerOptions): ErrorContext {
  return {
    brokers: opts.brokers,
    principal: opts.sasl ? `User:${opts.sasl.username}` : 'User:ANONYMOUS',
    saslMechanism: opts.sasl?.mechanism,
  };
}
