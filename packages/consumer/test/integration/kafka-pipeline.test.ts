import { describe, expect, it } from 'vitest';
import { FatalHandlerError } from '@org/vmware-events-consumer';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { makeEvent } from '../events.js';
import {
  committedOffsets,
  createEventProducer,
  createRawProducer,
  createTopic,
  randomUUID,
  readAll,
  startConsumer,
  waitFor,
} from './helpers.js';

describe('consumer on the real broker', () => {
  it('handles an event delivered twice only once', async () => {
    const { topic } = await createTopic(1);
    const producer = await createEventProducer();
    const a = makeEvent({ vmId: 'vm-1' });
    const b = makeEvent({ vmId: 'vm-1' });
    for (const event of [a, a, b]) await producer.publish(event as VmOperationEvent, { topic });
    const handled: string[] = [];
    const groupId = `test-${randomUUID()}`;
    const consumer = await startConsumer({
      groupId,
      topics: [topic],
      handler: ({ event }) => void handled.push(event.eventId),
    });
    await waitFor(
      '2 processed + 1 duplicate',
      () => consumer.metrics().processed + consumer.metrics().duplicate === 3,
    );
    expect(handled).toEqual([a.eventId, b.eventId]);
    expect(consumer.metrics()).toMatchObject({ processed: 2, duplicate: 1 });
    await waitFor('offsets committed', async () => (await committedOffsets(groupId, topic))[0] === '3');
  });

  it('discards an event that arrives after a newer one for the same VM', async () => {
    const { topic } = await createTopic(3);
    const producer = await createEventProducer();
    for (const eventKey of [100, 102, 101, 103]) {
      await producer.publish(makeEvent({ vmId: 'vm-9', eventKey }) as VmOperationEvent, { topic });
    }
    const keys: number[] = [];
    const stale: number[] = [];
    const consumer = await startConsumer({
      groupId: `test-${randomUUID()}`,
      topics: [topic],
      handler: ({ event }) => void keys.push(event.operationInfo.vcenter!.eventKey),
    });
    consumer.on('consumer:stale', ({ eventKey }) => stale.push(eventKey));
    await waitFor('4 records', () => consumer.metrics().processed + consumer.metrics().stale === 4);
    expect(keys).toEqual([100, 102, 103]);
    expect(stale).toEqual([101]);
  });

  it('dead-letters poison messages and moves the partition on', async () => {
    const { topic, dlq } = await createTopic(1);
    const raw = await createRawProducer();
    const producer = await createEventProducer();
    const good = makeEvent({ vmId: 'vm-2' });
    const fatal = makeEvent({ vmId: 'vm-2' });
    await raw.send({
      topic,
      messages: [{ key: 'vm-2', value: Buffer.from([0x7b, 0xff, 0x00]), headers: { tenant: 'tenantA' } }],
    });
    await raw.send({
      topic,
      messages: [{ key: 'vm-2', value: JSON.stringify({ ...makeEvent(), operationInfo: { vmId: 'vm-2' } }) }],
    });
    await producer.publish(fatal as VmOperationEvent, { topic });
    await producer.publish(good as VmOperationEvent, { topic });
    const handled: string[] = [];
    const groupId = `test-${randomUUID()}`;
    const consumer = await startConsumer({
      groupId,
      topics: [topic],
      retry: { maxAttempts: 3, initialDelayMs: 10 },
      handler: ({ event }) => {
        if (event.eventId === fatal.eventId) throw new FatalHandlerError('VM is unknown to the inventory');
        handled.push(event.eventId);
      },
    });
    await waitFor('good event handled', () => handled.length === 1);
    expect(handled).toEqual([good.eventId]);
    await waitFor(
      'offsets committed past the poison',
      async () => (await committedOffsets(groupId, topic))[0] === '4',
    );

    const dead = await readAll(dlq);
    expect(dead).toHaveLength(3);
    const header = (record: (typeof dead)[number], name: string) =>
      (record.headers[name] as Buffer).toString();
    expect(dead.map((r) => header(r, 'x-dlt-reason'))).toEqual([
      'DECODE_ERROR',
      'SCHEMA_VALIDATION',
      'HANDLER_FATAL',
    ]);
    expect(dead[0]!.value).toEqual(Buffer.from([0x7b, 0xff, 0x00])); // raw bytes kept
    expect(dead[0]!.key?.toString()).toBe('vm-2');
    expect(header(dead[0]!, 'tenant')).toBe('tenantA'); // original headers kept
    expect(header(dead[0]!, 'kafka_dlt-original-topic')).toBe(topic);
    expect((dead[1]!.headers['kafka_dlt-original-offset'] as Buffer).readBigInt64BE()).toBe(1n);
    expect((dead[2]!.headers['kafka_dlt-original-partition'] as Buffer).readInt32BE()).toBe(0);
    expect(header(dead[2]!, 'kafka_dlt-original-consumer-group')).toBe(groupId);
    expect(header(dead[2]!, 'x-dlt-attempts')).toBe('1');
    expect(consumer.metrics().deadLettered).toBe(3);
  });

  it('keeps the member in the group during retries longer than the session timeout', async () => {
    const { topic } = await createTopic(1);
    const producer = await createEventProducer();
    const event = makeEvent();
    await producer.publish(event as VmOperationEvent, { topic });
    let calls = 0;
    const joins: string[] = [];
    const groupId = `test-${randomUUID()}`;
    const consumer = await startConsumer({
      groupId,
      topics: [topic],
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      retry: { maxAttempts: 3, initialDelayMs: 4000, maxDelayMs: 4000, jitter: 0 },
      handler: () => {
        calls += 1;
        if (calls < 3) throw new Error('downstream unavailable');
      },
    });
    consumer.on('consumer:group-join', ({ memberId }) => joins.push(memberId));
    await waitFor('processed after 2 retries', () => consumer.metrics().processed === 1, 30_000);
    expect(calls).toBe(3);
    expect(consumer.metrics().retried).toBe(2);
    expect(joins).toEqual([]); // no rebalance: the member was never expelled during 8 s of backoff
    await waitFor('offset committed', async () => (await committedOffsets(groupId, topic))[0] === '1');
  }, 60_000);
});
