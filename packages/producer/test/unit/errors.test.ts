import { describe, expect, it } from 'vitest';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { SchemaValidationError } from '@org/vmware-events-schema';
import { isProducerError } from '../../src/index.js';
import { mapKafkaError } from '../../src/internal/error-mapping.js';

const ctx = {
  brokers: ['127.0.0.1:9092'],
  principal: 'User:svc',
  saslMechanism: 'scram-sha-512',
  topic: 'vmware.events',
};
const protocol = (type: string, retriable = false) =>
  new KafkaJSProtocolError({ message: type, type, code: 1, retriable } as never);

describe('kafkajs error mapping', () => {
  it('makes "unavailable after retries" a retriable BrokerUnavailableError naming the brokers', () => {
    const cause = new KafkaJSConnectionError('connect ECONNREFUSED', { broker: '127.0.0.1:9092' });
    const wrapped = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 });
    const error = mapKafkaError(wrapped, ctx) as Error & { retriable: boolean };
    expect(isProducerError(error, 'PRODUCER_BROKER_UNAVAILABLE')).toBe(true);
    expect(error.retriable).toBe(true);
    expect(error.message).toContain('127.0.0.1:9092');
    expect(error.message).toContain('6 attempts');
    expect(error.cause).toBe(wrapped);
  });

  it('maps authorization, unknown topic and size refusals to non-retriable errors carrying the topic', () => {
    const auth = mapKafkaError(protocol('TOPIC_AUTHORIZATION_FAILED'), ctx) as Error & {
      topic: string;
      principal: string;
    };
    expect(isProducerError(auth, 'PRODUCER_AUTHORIZATION')).toBe(true);
    expect([auth.topic, auth.principal]).toEqual(['vmware.events', 'User:svc']);
    expect(
      isProducerError(
        mapKafkaError(protocol('UNKNOWN_TOPIC_OR_PARTITION', true), ctx),
        'PRODUCER_UNKNOWN_TOPIC',
      ),
    ).toBe(true);
    expect(
      isProducerError(mapKafkaError(protocol('MESSAGE_TOO_LARGE'), ctx), 'PRODUCER_MESSAGE_TOO_LARGE'),
    ).toBe(true);
    for (const e of [auth]) expect((e as unknown as { retriable: boolean }).retriable).toBe(false);
  });

  it('maps SASL failures to AuthenticationError without the username', () => {
    const error = mapKafkaError(
      new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)(
        'SASL SCRAM SHA512 authentication failed for svc',
      ),
      ctx,
    ) as Error;
    expect(isProducerError(error, 'PRODUCER_AUTHENTICATION')).toBe(true);
    expect(error.message).not.toContain('svc');
  });

  it('keeps the broker verdict on other protocol errors', () => {
    const retriable = mapKafkaError(protocol('CORRUPT_MESSAGE', true), ctx) as Error & { retriable: boolean };
    expect(isProducerError(retriable, 'PRODUCER_SEND_FAILED')).toBe(true);
    expect(retriable.retriable).toBe(true);
    expect((mapKafkaError(protocol('INVALID_RECORD'), ctx) as { retriable: boolean }).retriable).toBe(false);
  });

  it('passes programmer errors and SDK errors through unchanged', () => {
    const typeError = new TypeError('x is not a function');
    expect(mapKafkaError(typeError, ctx)).toBe(typeError);
    const validation = new SchemaValidationError('vm-operation-event@1.0', []);
    expect(mapKafkaError(validation, ctx)).toBe(validation);
    expect(isProducerError(validation)).toBe(false);
  });
});
