/**
 * The in-memory producer (`@org/vmware-events-producer/testing`) against the real one on the real broker: the same
 * calls give the same records (key, partition, value, headers) and the same errors, so a team's unit test with the
 * double tells what production would do.
 */
import { describe, expect, it } from 'vitest';
import type { EventProducer, ProducerOptions, PublishResult } from '../../src/index.js';
import { createInMemoryProducer } from '../../src/testing.js';
import { connectedProducer, consume, createTopic, vmEvent } from './helpers.js';

const OPTIONS: Partial<ProducerOptions> = {
  source: 'urn:vmware-events:test:contract',
  keyStrategy: 'env.vmId',
  environment: 'bugfest',
  traceContext: 'off',
};

type Call = (
  producer: EventProducer,
  topics: { main: string; small: string },
) => Promise<PublishResult | PublishResult[]>;

const fixed = (vmId: string, over: Record<string, unknown> = {}) => ({
  ...vmEvent({ vmId, timestamp: '2026-01-02T03:04:05Z', ...over }),
  eventId: `0b7c2a52-8a0e-4a39-9d57-${vmId.replace(/\D/g, '').padStart(12, '0')}`,
});

/** What a call did: its results, or its error's name, code and message. */
async function outcome(producer: EventProducer, call: Call, topics: { main: string; small: string }) {
  try {
    return { ok: await call(producer, topics) };
  } catch (error) {
    const { name, code, message } = error as Error & { code?: string };
    return { error: { name, code, message } };
  }
}

const SUCCEEDING: Array<[string, Call]> = [
  ['one event', (p, t) => p.publish(fixed('vm-1'), { topic: t.main })],
  ['a batch', (p, t) => p.publishBatch([fixed('vm-2'), fixed('vm-3'), fixed('vm-4')], { topic: t.main })],
  [
    'an event with an identity',
    (p, t) => p.publish({ ...fixed('vm-5'), eventId: undefined }, { topic: t.main, identity: ['vc-1', 42] }),
  ],
  [
    'a domain event',
    (p, t) =>
      p.publishDomainEvent(
        { type: 'CREATE', tenant: 'diku', new: { id: 'i-1', title: 'x' } },
        {
          topic: t.main,
          eventId: '0b7c2a52-8a0e-4a39-9d57-2b0c3f1a4e11',
        },
      ),
  ],
];

const FAILING: Array<[string, Call]> = [
  ['an unknown operation', (p, t) => p.publish(fixed('vm-1', { operation: 'explode' }), { topic: t.main })],
  [
    'a schema version the SDK does not write',
    (p, t) => p.publish({ ...fixed('vm-1'), schemaVersion: '2.0' }, { topic: t.main }),
  ],
  [
    'a batch with one invalid event',
    (p, t) => p.publishBatch([fixed('vm-1'), fixed('vm-2', { tenantId: '' })], { topic: t.main }),
  ],
  [
    'an id that disagrees with the identity',
    (p, t) => p.publish(fixed('vm-1'), { topic: t.main, identity: ['vc-1', 1] }),
  ],
  ['an invalid topic', (p) => p.publish(fixed('vm-1'), { topic: 'bad topic' })],
  ['a topic that does not exist', (p) => p.publish(fixed('vm-1'), { topic: 'contract-missing-topic' })],
  [
    'a record over max.message.bytes',
    (p, t) => p.publish(fixed('vm-1', { notes: 'n'.repeat(2000) }), { topic: t.small }),
  ],
  [
    'a domain event without module and entity',
    (p) => p.publishDomainEvent({ type: 'DELETE_ALL', tenant: 'diku' }, {}),
  ],
];

describe('the in-memory producer agrees with the real producer on the real broker', () => {
  it('writes the same records: key, partition, value and headers', async () => {
    const main = await createTopic({ partitions: 3 });
    const small = await createTopic({ config: { 'max.message.bytes': '1000' } });
    const real = await connectedProducer({ ...OPTIONS, lingerMs: 0 });
    const memory = createInMemoryProducer({
      ...OPTIONS,
      topics: { [main]: { partitions: 3 }, [small]: { maxMessageBytes: 1000 } },
    });
    await memory.connect();
    for (const [name, call] of SUCCEEDING) {
      const [fromReal, fromMemory] = [
        await outcome(real, call, { main, small }),
        await outcome(memory, call, { main, small }),
      ];
      const strip = (o: typeof fromReal) =>
        'ok' in o ? [o.ok].flat().map((r) => ({ ...r, offset: undefined })) : o; // offsets depend on the topic's history
      expect(strip(fromMemory), name).toEqual(strip(fromReal));
    }
    const written = await consume(main, memory.published.length);
    const byEventId = new Map(written.map((r) => [r.headers.eventId, r]));
    for (const record of memory.published) {
      const kafka = byEventId.get(record.eventId);
      expect(kafka, record.eventId).toBeDefined();
      // A domain event's ce_time is the time of publishing (the producer takes no time for it).
      const time = record.kind === 'domain-event' ? { ce_time: expect.any(String) as string } : {};
      expect({
        key: record.key,
        partition: record.partition,
        value: record.value,
        headers: record.headers,
      }).toEqual({
        key: kafka!.key,
        partition: kafka!.partition,
        value: kafka!.value,
        headers: { ...kafka!.headers, ...time },
      });
    }
    expect(memory.published.map((r) => r.kind)).toContain('domain-event');
  });

  it.each(FAILING)('refuses %s with the same error', async (_name, call) => {
    const main = await createTopic({ partitions: 3 });
    const small = await createTopic({ config: { 'max.message.bytes': '1000' } });
    const real = await connectedProducer({ ...OPTIONS, lingerMs: 0 });
    const memory = createInMemoryProducer({
      ...OPTIONS,
      topics: { [main]: { partitions: 3 }, [small]: { maxMessageBytes: 1000 } },
    });
    await memory.connect();
    const fromReal = await outcome(real, call, { main, small });
    expect(fromReal).toHaveProperty('error');
    expect(await outcome(memory, call, { main, small })).toEqual(fromReal);
    expect(memory.published).toEqual([]);
  });
});
