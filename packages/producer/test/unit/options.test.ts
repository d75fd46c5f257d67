import { describe, expect, it } from 'vitest';
import { isVmwEventsError } from '@org/vmware-events-schema';
import { ProducerOptionsError, createProducer, parseProducerOptions } from '../../src/index.js';
import type { ProducerOptions } from '../../src/index.js';

function issuesOf(options: unknown): Array<{ path: string; message: string }> {
  try {
    parseProducerOptions(options as ProducerOptions);
  } catch (error) {
    expect(isVmwEventsError(error) && error.code === 'INVALID_OPTIONS').toBe(true);
    return [...(error as ProducerOptionsError).issues];
  }
  throw new Error('expected the options to be rejected');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('producer options', () => {
  it('resolves defaults without touching the caller object', () => {
    const input = deepFreeze({ brokers: ['127.0.0.1:9092'], retry: { retries: 3 } });
    const resolved = parseProducerOptions(input);
    expect(resolved).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      clientId: 'vmware-events-producer',
      keyStrategy: 'vmId',
      topic: 'canonical',
      compression: 'none',
      lingerMs: 5,
      deliveryTimeoutMs: 120_000,
      retry: { retries: 3, initialRetryTimeMs: 300, maxRetryTimeMs: 10_000 },
    });
    expect(resolved).not.toBe(input);
    expect(input).toEqual({ brokers: ['127.0.0.1:9092'], retry: { retries: 3 } });
  });

  it('names each bad option', () => {
    const issues = issuesOf({
      brokers: ['localhost'],
      lingerMs: -1,
      compression: 'brotli',
      keyStrategy: 'name',
    });
    expect(issues.map((i) => i.path).sort()).toEqual(['brokers.0', 'compression', 'keyStrategy', 'lingerMs']);
    expect(issues.find((i) => i.path === 'brokers.0')!.message).toContain('host:port');
  });

  it('requires at least one broker', () => {
    expect(issuesOf({}).map((i) => i.path)).toEqual(['brokers']);
    expect(issuesOf({ brokers: [] })[0]!.message).toContain('at least one');
  });

  it('rejects unknown options (typos) by name', () => {
    const issues = issuesOf({ brokers: ['127.0.0.1:9092'], lingerMS: 10 });
    expect(issues[0]!.message).toContain('"lingerMS"');
  });

  it('checks rules across options with an actionable message', () => {
    const issues = issuesOf({ brokers: ['127.0.0.1:9092'], batchSizeBytes: 2048, bufferMemoryBytes: 1024 });
    expect(issues).toEqual([
      { path: 'bufferMemoryBytes', message: expect.stringContaining('batchSizeBytes (2048)') },
    ]);
    const retry = issuesOf({
      brokers: ['127.0.0.1:9092'],
      retry: { initialRetryTimeMs: 5000, maxRetryTimeMs: 100 },
    });
    expect(retry[0]!.path).toBe('retry.initialRetryTimeMs');
    expect(
      issuesOf({ brokers: ['127.0.0.1:9092'], deliveryTimeoutMs: 1000, requestTimeoutMs: 5000 }),
    ).toEqual([{ path: 'deliveryTimeoutMs', message: expect.stringContaining('requestTimeoutMs (5000)') }]);
    expect(issuesOf({ brokers: ['127.0.0.1:9092'], retry: { retries: 0 } })[0]).toEqual({
      path: 'retry.retries',
      message: expect.stringContaining('idempotent'),
    });
  });

  it('validates topic naming with the schema package rules', () => {
    expect(issuesOf({ brokers: ['127.0.0.1:9092'], topic: { team: 'a.b' } })[0]!.path).toBe('topic.team');
    expect(issuesOf({ brokers: ['127.0.0.1:9092'], topic: { name: 'bad topic' } })[0]!.path).toBe(
      'topic.name',
    );
  });

  it('never puts credentials in the error message', () => {
    const error = (() => {
      try {
        createProducer({
          brokers: ['127.0.0.1:9092'],
          sasl: { mechanism: 'gssapi', username: 'svc-user-x', password: 'pw-secret-y' } as never,
        });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProducerOptionsError);
    expect(error!.message).toContain('sasl');
    expect(error!.message).not.toContain('svc-user-x');
    expect(error!.message).not.toContain('pw-secret-y');
  });

  it('accepts TLS settings and every SASL mechanism', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      expect(
        parseProducerOptions({
          brokers: ['kafka-1.example.com:9093', 'kafka-2.example.com:9093'],
          ssl: { ca: '-----BEGIN CERTIFICATE-----', rejectUnauthorized: true },
          sasl: { mechanism, username: 'u', password: 'p' },
        }).sasl?.mechanism,
      ).toBe(mechanism);
    }
  });
});
