import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  DELETE_ALL_KEY,
  buildEventHeaders,
  deriveEventId,
  domainTopic,
  environmentTopic,
  isSchemaValidationError,
  validateDomainEvent,
  validateVmOperationEvent,
} from '@org/vmware-events-schema';
import type { SchemaValidationError, VmOperationEvent } from '@org/vmware-events-schema';
import { createProducer, isProducerError, partitionForKey } from '../../src/index.js';
import type { MessageTooLargeError, UnknownTopicError } from '../../src/index.js';
import { BROKERS, connectedProducer, consume, createTopic, recordCount, vmEvent } from './helpers.js';

describe('publish (real broker)', () => {
  it('fills in the defaults, validates, keys, adds the contract headers and reports where the record went', async () => {
    const topic = await createTopic({ partitions: 6 });
    const producer = await connectedProducer({ topic: { name: topic } });
    const input = vmEvent({ vmId: 'vm-12345' });
    const before = Date.now();
    const result = await producer.publish(input);

    const [record] = await consume(topic, 1);
    expect(record).toBeDefined();
    const event = JSON.parse(record!.value!) as VmOperationEvent;
    expect(validateVmOperationEvent(event).valid).toBe(true);
    expect(event.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(event.eventId).toBe(result.eventId);
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    expect(event.correlationId).toBe(event.eventId);
    expect(event.source).toBe('urn:vmware-events:test');
    expect(Date.parse(event.operationInfo.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(record!.key).toBe('vm-12345');
    expect(record!.headers).toEqual(buildEventHeaders(event, {}));
    expect(result).toEqual({
      eventId: event.eventId,
      topic,
      partition: partitionForKey('vm-12345', 6),
      offset: record!.offset,
      key: 'vm-12345',
    });
    expect(record!.partition).toBe(result.partition);
    // The caller's object is not modified.
    expect(input).not.toHaveProperty('eventId');
    expect(input.operationInfo).not.toHaveProperty('timestamp');
  });

  it('keys with the configured strategy and names the topic per environment', async () => {
    const env = `e${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const topic = await createTopic({ name: environmentTopic(env), partitions: 3 });
    const producer = await connectedProducer({ topic: 'environment', keyStrategy: 'env.tenant.vmId' });
    const result = await producer.publish(
      vmEvent({ vmId: 'vm-54321', environment: env, tenantId: 'tenantB' }),
    );
    expect(result.topic).toBe(topic);
    const [record] = await consume(topic, 1);
    expect(record!.key).toBe(`${env}.tenantB.vm-54321`);
    expect(record!.partition).toBe(partitionForKey(`${env}.tenantB.vm-54321`, 3));
  });

  it('throws a SchemaValidationError listing every problem and sends nothing', async () => {
    const topic = await createTopic();
    const producer = await connectedProducer({ topic: { name: topic } });
    const bad = {
      operationInfo: {
        operation: 'create',
        vmId: 'vm-1',
        username: 'u',
        environment: 'DEV x',
        tenantId: 't',
      },
    } as never;
    const error = await producer.publish(bad).catch((e: unknown) => e);
    expect(isSchemaValidationError(error)).toBe(true);
    const issues = (error as SchemaValidationError).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['/operationInfo/environment']));
    expect((error as SchemaValidationError).issues.some((i) => i.message.includes('vmData'))).toBe(true);
    await producer.flush();
    expect(await recordCount(topic)).toBe(0);
  });

  it('sends nothing of a batch when one event is invalid, and names the event by index', async () => {
    const topic = await createTopic({ partitions: 3 });
    const producer = await connectedProducer({ topic: { name: topic } });
    const events = [
      vmEvent(),
      vmEvent({ operation: 'no_such_op' as never }),
      vmEvent(),
      vmEvent({ tenantId: '' }),
    ];
    const error = await producer.publishBatch(events).catch((e: unknown) => e);
    expect(isSchemaValidationError(error)).toBe(true);
    const paths = (error as SchemaValidationError).issues.map((i) => i.path);
    expect(paths.some((p) => p.startsWith('/1/operationInfo/operation'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/3/operationInfo/tenantId'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/0') || p.startsWith('/2'))).toBe(false);
    await producer.flush();
    expect(await recordCount(topic)).toBe(0);

    const ok = await producer.publishBatch([vmEvent(), vmEvent(), vmEvent()]);
    expect(ok).toHaveLength(3);
    expect(await consume(topic, 3)).toHaveLength(3);
  });

  it('gives a re-sent event with the same natural identity the same event id', async () => {
    const topic = await createTopic();
    const producer = await connectedProducer({ topic: { name: topic } });
    const instanceUuid = randomUUID();
    const first = await producer.publish(vmEvent({ vmId: 'vm-7' }), { identity: [instanceUuid, 4711] });
    const again = await producer.publish(vmEvent({ vmId: 'vm-7' }), { identity: [instanceUuid, 4711] });
    const other = await producer.publish(vmEvent({ vmId: 'vm-7' }), { identity: [instanceUuid, 4712] });
    expect(first.eventId).toBe(deriveEventId(instanceUuid, 4711));
    expect(again.eventId).toBe(first.eventId);
    expect(other.eventId).not.toBe(first.eventId);
    const batch = await producer.publishBatch([vmEvent(), vmEvent()], {
      identityOf: (_e, i) => [instanceUuid, i],
    });
    expect(batch.map((r) => r.eventId)).toEqual([
      deriveEventId(instanceUuid, 0),
      deriveEventId(instanceUuid, 1),
    ]);
    const records = await consume(topic, 5);
    expect(records.map((r) => r.headers.eventId)).toEqual([
      first.eventId,
      first.eventId,
      other.eventId,
      batch[0]!.eventId,
      batch[1]!.eventId,
    ]);
  });

  it('publishes domain events (seed 002) to <ENV>.<tenant>.<module>.<entity>, DELETE_ALL keyed by the nil UUID', async () => {
    const tenant = `t${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const topic = await createTopic({
      name: domainTopic({ environment: 'bugfest', tenant, module: 'inventory', entity: 'instance' }),
      partitions: 4,
    });
    const producer = await connectedProducer({ environment: 'bugfest', module: 'inventory-storage' });
    const created = await producer.publishDomainEvent(
      { type: 'CREATE', tenant, new: { id: 'inst-1', title: 'A' } },
      { entity: 'instance' },
    );
    const all = await producer.publishDomainEvent({ type: 'DELETE_ALL', tenant }, { entity: 'instance' });
    expect(created.topic).toBe(topic);
    expect(created.key).toBe('inst-1');
    expect(all.key).toBe(DELETE_ALL_KEY);
    expect(all.partition).toBe(partitionForKey(DELETE_ALL_KEY, 4));
    const records = await consume(topic, 2);
    const del = records.find((r) => r.key === DELETE_ALL_KEY)!;
    expect(JSON.parse(del.value!)).toEqual({ type: 'DELETE_ALL', tenant });
    expect(validateDomainEvent(JSON.parse(del.value!)).valid).toBe(true);
    expect(del.headers).toMatchObject({
      env: 'bugfest',
      tenant,
      operationType: 'DELETE_ALL',
      eventId: all.eventId,
    });
    await expect(
      producer.publishDomainEvent({ type: 'UPDATE', tenant, new: { id: 'x' } } as never, {
        entity: 'instance',
      }),
    ).rejects.toSatisfy(isSchemaValidationError);
  });

  it('fails with UnknownTopicError naming the topic, without retrying for long', async () => {
    const producer = await connectedProducer();
    const topic = `test-missing-${randomUUID()}`;
    const started = Date.now();
    const error = (await producer
      .publish(vmEvent(), { topic })
      .catch((e: unknown) => e)) as UnknownTopicError;
    expect(isProducerError(error, 'PRODUCER_UNKNOWN_TOPIC')).toBe(true);
    expect(error.topic).toBe(topic);
    expect(error.message).toContain(topic);
    expect(error.retriable).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("rejects a record larger than the topic's max.message.bytes before sending it", async () => {
    const topic = await createTopic({ config: { 'max.message.bytes': '2048' } });
    const producer = await connectedProducer({ topic: { name: topic } });
    const big = vmEvent({ notes: 'x'.repeat(3000) });
    const error = (await producer.publish(big).catch((e: unknown) => e)) as MessageTooLargeError;
    expect(isProducerError(error, 'PRODUCER_MESSAGE_TOO_LARGE')).toBe(true);
    expect(error.limitBytes).toBe(2048);
    expect(error.sizeBytes).toBeGreaterThan(3000);
    expect(error.message).toContain(topic);
    await producer.flush();
    expect(await recordCount(topic)).toBe(0);
    // Small records that together exceed the limit are split into several requests, not rejected.
    const results = await producer.publishBatch(
      Array.from({ length: 10 }, () => vmEvent({ notes: 'y'.repeat(600) })),
    );
    expect(results).toHaveLength(10);
    expect(await recordCount(topic)).toBe(10);
  });

  it('flushes buffered records on disconnect, then rejects further calls with a closed error', async () => {
    const topic = await createTopic({ partitions: 2 });
    const producer = await connectedProducer({ topic: { name: topic }, lingerMs: 60_000 });
    const pending = Array.from({ length: 25 }, () => producer.publish(vmEvent()));
    await Promise.all([producer.disconnect(), producer.disconnect()]);
    expect(await Promise.all(pending)).toHaveLength(25);
    expect(await recordCount(topic)).toBe(25);
    await expect(producer.publish(vmEvent())).rejects.toSatisfy((e) => isProducerError(e, 'PRODUCER_CLOSED'));
    await expect(producer.connect()).rejects.toSatisfy((e) => isProducerError(e, 'PRODUCER_CLOSED'));
  });

  it('stops waiting when the AbortSignal fires, and rejects with its reason', async () => {
    const topic = await createTopic();
    const producer = await connectedProducer({ topic: { name: topic }, lingerMs: 60_000 });
    const controller = new AbortController();
    const pending = producer.publish(vmEvent(), { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    await expect(producer.publish(vmEvent(), { signal: AbortSignal.abort() })).rejects.toSatisfy(
      (e) => e instanceof Error && e.name === 'AbortError',
    );
  });

  it('shares one connection attempt between concurrent connect() calls', async () => {
    const producer = createProducer({ brokers: BROKERS, source: 'urn:vmware-events:test' });
    onTestFinished(() => producer.disconnect());
    const first = producer.connect();
    const second = producer.connect();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await producer.connect();
  });
});
