import { Kafka } from 'kafkajs';
import type { Message, ProducerConfig } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  buildEventHeaders,
  buildEventKey,
  decodeHeaders,
  deriveEventId,
  isInvalidKeyError,
  isInvalidHeaderError,
  isSchemaValidationError,
  randomEventId,
  validateVmOperationEvent,
} from '@org/vmware-events-schema';
import type { KeyStrategy, VmOperationEvent } from '@org/vmware-events-schema';
import { createProducer } from '../../src/index.js';
import type { VmOperationEventInput } from '../../src/index.js';

/**
 * kafkajs with its network side replaced: records what would be sent, acknowledges at once (every partition's base
 * offset starts at `firstOffset` and grows with each send).
 */
function fakeKafka(firstOffset = 0n): Message[] {
  const sent: Message[] = [];
  vi.spyOn(Kafka.prototype, 'producer').mockImplementation((config?: ProducerConfig) => {
    const partitioner = config?.createPartitioner?.();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    let offset = firstOffset;
    return {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      sendBatch: ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Message[] }> }) =>
        Promise.resolve(
          (topicMessages ?? [])
            .map(({ topic, messages }) => {
              for (const message of messages) {
                partitioner?.({ topic, partitionMetadata, message });
                sent.push(message);
              }
              const baseOffset = String(offset);
              offset += BigInt(messages.length);
              return partitionMetadata.map(({ partitionId }) => ({
                topicName: topic,
                partition: partitionId,
                errorCode: 0,
                baseOffset,
              }));
            })
            .flat(),
        ),
    } as unknown as ReturnType<Kafka['producer']>;
  });
  vi.spyOn(Kafka.prototype, 'admin').mockImplementation(
    () =>
      ({
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        describeConfigs: () =>
          Promise.resolve({
            resources: [
              {
                errorCode: 0,
                configEntries: [{ configName: 'max.message.bytes', configValue: '1048588' }],
              },
            ],
          }),
      }) as unknown as ReturnType<Kafka['admin']>,
  );
  return sent;
}

function input(
  i: number,
  overrides: { vmId?: string; environment?: string; tenantId?: string } = {},
): VmOperationEventInput {
  return {
    operationInfo: {
      operation: (['power_on', 'power_off', 'rename'] as const)[i % 3]!,
      vmId: `vm-${i % 4}`,
      username: 'alice@example.com',
      environment: i % 2 ? 'prod' : 'DEV',
      tenantId: 'tenantA',
      ...overrides,
    },
    vmData: { cpu: 2 },
  };
}

async function connectedProducer(options: { keyStrategy?: KeyStrategy } = {}) {
  const producer = createProducer({
    brokers: ['127.0.0.1:1'],
    source: 'urn:vmware-events:test',
    lingerMs: 0,
    traceContext: 'off',
    ...options,
  });
  await producer.connect();
  return producer;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('publish path (kafkajs network replaced by a fake)', () => {
  it('writes exactly the headers of the checked builder, first and repeated values alike', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    // Repeats of every value (the one-pass path) mixed with first sightings (the checked path).
    for (let i = 0; i < 12; i++) await producer.publish(input(i));
    await producer.publishBatch([input(12), input(13), input(14, { vmId: 'vm-new' })]);
    await producer.disconnect();

    expect(sent).toHaveLength(15);
    for (const message of sent) {
      const event = JSON.parse(String(message.value)) as VmOperationEvent;
      const expected = buildEventHeaders(event);
      const headers = message.headers as Record<string, string | Buffer>;
      expect(Object.keys(headers)).toEqual(Object.keys(expected));
      expect(decodeHeaders(headers)).toEqual(expected);
      for (const name of ['env', 'tenant', 'operationType', 'contentVersion', 'content-type', 'ce_source']) {
        expect(Buffer.isBuffer(headers[name]), name).toBe(true);
      }
      expect(typeof headers.eventId).toBe('string');
    }
    // Repeated values share their bytes.
    const envOf = (m: Message) => (m.headers as Record<string, Buffer>).env;
    expect(envOf(sent[3]!)).toBe(envOf(sent[1]!));
  });

  it('still checks a header value first seen after the cache is warm', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    for (let i = 0; i < 6; i++) await producer.publish(input(i));
    const count = sent.length;
    const bad = { ...input(1), source: 'urn:vmware-events:test\u0001x' };
    const error = await producer.publish(bad).catch((e: unknown) => e);
    expect(isInvalidHeaderError(error)).toBe(true);
    expect((error as Error).message).toContain('U+0001');
    expect(sent).toHaveLength(count);
    await producer.disconnect();
  });

  it('validates every event, also when its values were all seen before', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    await producer.publish(input(0));
    const bad = input(0);
    (bad.operationInfo as { tenantId: string }).tenantId = 'tenant A';
    await expect(producer.publish(bad)).rejects.toSatisfy(isSchemaValidationError);
    expect(sent).toHaveLength(1);
    await producer.disconnect();
  });

  it("reuses a VM's key only while its environment and tenant stay the same", async () => {
    for (const keyStrategy of ['env.tenant.vmId', 'hash'] as const) {
      const sent = fakeKafka();
      const producer = await connectedProducer({ keyStrategy });
      const scopes = [
        ['DEV', 'tenantA'],
        ['DEV', 'tenantA'],
        ['prod', 'tenantA'],
        ['prod', 'tenantB'],
        ['DEV', 'tenantA'],
      ] as const;
      for (const [environment, tenantId] of scopes) {
        await producer.publish(input(0, { vmId: 'vm-7', environment, tenantId }));
      }
      await producer.disconnect();
      const keys = sent.map((m) => String(m.key));
      expect(keys).toEqual(
        sent.map((m) => buildEventKey(JSON.parse(String(m.value)) as VmOperationEvent, keyStrategy)),
      );
      expect(new Set(keys).size).toBe(3);
      vi.restoreAllMocks();
    }
  });

  it('refuses a VM id that is not a valid key every time, not only the first', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await producer.publish(input(0, { vmId: 'vm-\u0001' })).catch((e: unknown) => e);
      expect(isInvalidKeyError(error), String(error)).toBe(true);
    }
    expect(sent).toHaveLength(0);
    await producer.disconnect();
  });

  it('gives exact offsets beyond 2^53, one per record of a partition in send order, batched or alone', async () => {
    for (const first of [0n, 9_007_199_254_740_991n, 123_456_789_012_345_678n]) {
      vi.restoreAllMocks();
      fakeKafka(first);
      const producer = await connectedProducer();
      const results = await producer.publishBatch([input(0), input(0), input(0)]);
      expect(results.map((r) => r.offset)).toEqual([0n, 1n, 2n].map((k) => String(first + k)));
      // A single awaited publish is sent on its own path (sendNow): the same exact offset.
      expect((await producer.publish(input(0))).offset).toBe(String(first + 3n));
      await producer.disconnect();
    }
  });

  it('names each invalid event of a batch by its index, and sends nothing of the batch', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    const badTenant = input(3);
    (badTenant.operationInfo as { tenantId: string }).tenantId = 'tenant A';
    const batch = [input(0), input(1), 'not an event' as unknown as VmOperationEventInput, badTenant];
    const error = await producer.publishBatch(batch).catch((e: unknown) => e);
    expect(isSchemaValidationError(error)).toBe(true);
    const paths = (error as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
    expect(paths).toEqual(['/2', '/3/operationInfo/tenantId']);
    expect(sent).toHaveLength(0);
    await producer.disconnect();
  });

  it('takes the checked path with trace context, and it is written', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    await producer.publish(input(0));
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await producer.publish(input(0), { traceparent, tracestate: 'k=v' });
    const headers = decodeHeaders(sent[1]!.headers);
    expect(headers).toMatchObject({ traceparent, tracestate: 'k=v' });
    await producer.disconnect();
  });
});

/**
 * The one-pass header path does not check eventId, correlationId, timestamp, environment, tenantId and schemaVersion
 * again because schema validation (which every event passes first) already excludes what the header check refuses:
 * empty values and control characters. If the schema is ever loosened, this fails and the producer must check them.
 */
describe('schema guarantees the one-pass header path relies on', () => {
  const valid: VmOperationEvent = {
    schemaVersion: '1.0',
    eventId: '3f1c1f4e-6f1a-4c8e-9d59-2f4b7c7f3a10',
    source: 'urn:vmware-events:test',
    correlationId: 'req-1',
    operationInfo: {
      operation: 'power_on',
      vmId: 'vm-1',
      username: 'alice@example.com',
      environment: 'DEV',
      tenantId: 'tenantA',
      timestamp: '2026-11-23T18:00:00.000Z',
    },
  };
  expect(validateVmOperationEvent(valid).valid).toBe(true);

  const fields: Array<[string, (e: Record<string, unknown>, v: string) => void]> = [
    ['eventId', (e, v) => (e.eventId = v)],
    ['correlationId', (e, v) => (e.correlationId = v)],
    ['schemaVersion', (e, v) => (e.schemaVersion = v)],
    ['operationInfo.timestamp', (e, v) => ((e.operationInfo as Record<string, unknown>).timestamp = v)],
    ['operationInfo.environment', (e, v) => ((e.operationInfo as Record<string, unknown>).environment = v)],
    ['operationInfo.tenantId', (e, v) => ((e.operationInfo as Record<string, unknown>).tenantId = v)],
  ];
  const badValues = ['', 'a\u0000b', 'a\rb', 'a\nb', 'a\u007fb', 'a\u0085b', '\ud800'];
  for (const [field, set] of fields) {
    it(`rejects an empty or control-character ${field}`, () => {
      for (const value of badValues) {
        const event = structuredClone(valid) as unknown as Record<string, unknown>;
        set(event, value);
        expect(validateVmOperationEvent(event).valid, JSON.stringify(value)).toBe(false);
      }
    });
  }
});

describe('envelope values the producer makes itself (validated without their patterns)', () => {
  /** The issues' paths of a publish that must fail validation. */
  async function rejectedPaths(publish: Promise<unknown>): Promise<string[]> {
    const error: unknown = await publish.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toSatisfy(isSchemaValidationError);
    return (error as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
  }

  it('are valid by construction: random and derived event ids, toISOString texts of the years 0-9999', () => {
    const ids = [
      ...Array.from({ length: 300 }, () => randomEventId()),
      ...Array.from({ length: 300 }, (_, i) => deriveEventId('vc-1', i)),
    ];
    const lastMs = Date.parse('9999-12-31T23:59:59.999Z');
    const firstMs = Date.parse('0000-01-01T00:00:00.000Z');
    const stamps = [
      firstMs,
      0,
      lastMs,
      ...Array.from({ length: 300 }, () => firstMs + Math.random() * (lastMs - firstMs)),
    ].map((ms) => new Date(Math.floor(ms)).toISOString());
    ids.forEach((eventId, i) => {
      const timestamp = stamps[i % stamps.length]!;
      expect(timestamp).toHaveLength(24);
      const event = {
        schemaVersion: '1.0',
        eventId,
        correlationId: eventId,
        source: 'urn:vmware-events:test',
        operationInfo: {
          operation: 'power_on',
          vmId: 'vm-1',
          username: 'a',
          environment: 'DEV',
          tenantId: 't',
          timestamp,
        },
      };
      expect(validateVmOperationEvent(event).valid, `${eventId} ${timestamp}`).toBe(true);
    });
  });

  it("checks a source option that fails the schema's check with every event", async () => {
    const sent = fakeKafka();
    const producer = createProducer({
      brokers: ['127.0.0.1:1'],
      source: 'urn:vmware-events:not a uri',
      lingerMs: 0,
      traceContext: 'off',
    });
    await producer.connect();
    for (let i = 0; i < 2; i++) expect(await rejectedPaths(producer.publish(input(i)))).toEqual(['/source']);
    expect(sent).toHaveLength(0);
    await producer.disconnect();
  });

  it('checks environment and tenant with their patterns unless the VM passed with the very same ones', async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    await producer.publish(input(0, { vmId: 'vm-1', environment: 'DEV', tenantId: 'tenantA' }));
    const bad: Array<[Record<string, string>, string]> = [
      [{ vmId: 'vm-1', environment: 'DEV', tenantId: 'tenant A' }, '/operationInfo/tenantId'],
      [{ vmId: 'vm-1', environment: 'D EV', tenantId: 'tenantA' }, '/operationInfo/environment'],
      [{ vmId: 'vm-2', environment: 'DEV', tenantId: 'tenant/A' }, '/operationInfo/tenantId'],
    ];
    for (const [fields, path] of bad) {
      for (let attempt = 0; attempt < 2; attempt++) {
        expect(await rejectedPaths(producer.publish(input(0, fields)))).toEqual([path]);
      }
    }
    await producer.publish(input(0, { vmId: 'vm-1', environment: 'DEV', tenantId: 'tenantA' }));
    expect(sent).toHaveLength(2);
    await producer.disconnect();
  });

  it("checks the caller's own envelope values with their patterns", async () => {
    const sent = fakeKafka();
    const producer = await connectedProducer();
    await producer.publish(input(0)); // warm: the same VM, environment and tenant as below
    const bad: Array<
      [Pick<Partial<VmOperationEvent>, 'eventId' | 'correlationId' | 'source' | 'schemaVersion'>, string]
    > = [
      [{ eventId: '3F1C1F4E-6F1A-4C8E-9D59-2F4B7C7F3A10' }, '/eventId'],
      [{ correlationId: 'req 1' }, '/correlationId'],
      [{ source: 'urn:vmware-events:not a uri' }, '/source'],
      [{ schemaVersion: '1.x' }, '/schemaVersion'],
    ];
    for (const [fields, path] of bad) {
      expect(await rejectedPaths(producer.publish({ ...input(0), ...fields }))).toContain(path);
    }
    const late = input(0);
    (late.operationInfo as { timestamp?: string }).timestamp = '2026-11-31T25:00:00Z';
    expect(await rejectedPaths(producer.publish(late))).toEqual(['/operationInfo/timestamp']);
    expect(sent).toHaveLength(1);
    await producer.disconnect();
  });
});
