import { randomUUID } from 'node:crypto';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import type { ProducerLogger } from '../../src/index.js';
import {
  KAFKA_SH,
  BROKERS,
  connectedProducer,
  consume,
  createTopic,
  execFileAsync,
  vmEvent,
} from './helpers.js';

describe('compression', () => {
  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)(
    '%s: the broker accepts the batches and both kafkajs and the Java client read them back',
    async (compression) => {
      const topic = await createTopic({ partitions: 2 });
      const producer = await connectedProducer({ topic: { name: topic }, compression });
      const events = Array.from({ length: 200 }, (_, i) =>
        vmEvent({ vmId: `vm-${i % 5}`, notes: `n${i} `.repeat(20) }),
      );
      const results = await producer.publishBatch(events);
      const records = await consume(topic, 200);
      expect(records).toHaveLength(200);
      const ids = new Set(records.map((r) => (JSON.parse(r.value!) as VmOperationEvent).eventId));
      expect(ids).toEqual(new Set(results.map((r) => r.eventId)));
      // The Java client decompresses them too: ConsumerPerformance reads every record and fails on a bad batch.
      const perf = await execFileAsync(
        'bash',
        [
          KAFKA_SH,
          'perf-consumer',
          '--bootstrap-server',
          BROKERS[0]!,
          '--topic',
          topic,
          '--num-records',
          '200',
          '--timeout',
          '30000',
        ],
        { timeout: 90_000 },
      );
      expect(`${perf.stdout}${perf.stderr}`).not.toMatch(/exception/i);
      const line = perf.stdout.trim().split('\n').at(-1)!;
      expect(Number(line.split(',')[4]), perf.stdout).toBe(200);
    },
    120_000,
  );
});

describe('W3C trace context', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    manager.enable();
    context.setGlobalContextManager(manager);
  });
  afterAll(() => {
    context.disable();
  });

  it('adds traceparent from the active OpenTelemetry span, and none without one', async () => {
    const topic = await createTopic();
    const producer = await connectedProducer({ topic: { name: topic } });
    const traceId = randomUUID().replaceAll('-', '');
    const spanId = randomUUID().replaceAll('-', '').slice(0, 16);
    const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    const inSpan = await context.with(ctx, () => producer.publish(vmEvent()));
    const outside = await producer.publish(vmEvent());
    const explicit = await producer.publish(vmEvent(), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const records = await consume(topic, 3);
    const byId = new Map(records.map((r) => [r.headers.eventId, r.headers]));
    expect(byId.get(inSpan.eventId)!.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(byId.get(outside.eventId)!.traceparent).toBeUndefined();
    expect(byId.get(explicit.eventId)!.traceparent).toBe(
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
  });

  it('never adds traceparent when traceContext is off', async () => {
    const topic = await createTopic();
    const producer = await connectedProducer({ topic: { name: topic }, traceContext: 'off' });
    const ctx = trace.setSpanContext(context.active(), {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    await context.with(ctx, () => producer.publish(vmEvent()));
    const [record] = await consume(topic, 1);
    expect(record!.headers.traceparent).toBeUndefined();
  });
});

describe('logging', () => {
  it('logs through the injected logger, never the event username', async () => {
    const lines: string[] = [];
    const logger: ProducerLogger = {
      debug: (m, f) => lines.push(`debug ${m} ${JSON.stringify(f ?? {})}`),
      info: (m, f) => lines.push(`info ${m} ${JSON.stringify(f ?? {})}`),
      warn: (m, f) => lines.push(`warn ${m} ${JSON.stringify(f ?? {})}`),
      error: (m, f) => lines.push(`error ${m} ${JSON.stringify(f ?? {})}`),
    };
    const topic = await createTopic();
    const producer = await connectedProducer({ topic: { name: topic }, logger, kafkaLogLevel: 'debug' });
    await producer.publish(vmEvent({ username: 'very-secret-user@example.com' }));
    await producer
      .publish(vmEvent({ username: 'very-secret-user@example.com' }), { topic: `missing-${randomUUID()}` })
      .catch(() => undefined);
    await producer.disconnect();
    expect(lines.some((l) => l.startsWith('info producer connected'))).toBe(true);
    expect(lines.some((l) => l.includes('kafkajs:'))).toBe(true);
    expect(lines.join('\n')).not.toContain('very-secret-user');
  });
});
