import { describe, expect, it } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  encodeVmOperationEvent,
  isSchemaValidationError,
} from '@org/vmware-events-schema';
import type { DomainEvent, VmOperationEvent } from '@org/vmware-events-schema';
import { BrokerUnavailableError, isProducerError, partitionForKey } from '@org/vmware-events-producer';
import type { VmOperationEventInput } from '@org/vmware-events-producer';
import { createInMemoryProducer } from '@org/vmware-events-producer/testing';
import type { InMemoryProducerOptions } from '@org/vmware-events-producer/testing';
import { vmEventInput } from './fixtures.js';

const SOURCE = 'urn:vmware-events:test:in-memory';

async function connected(options: InMemoryProducerOptions = {}) {
  const producer = createInMemoryProducer({ source: SOURCE, ...options });
  await producer.connect();
  return producer;
}

const withVm = (vmId: string, environment = 'DEV'): VmOperationEventInput => ({
  operationInfo: { operation: 'power_on', vmId, username: 'u', environment, tenantId: 't' },
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createInMemoryProducer: what the real producer writes', () => {
  it('stores the record the record codec makes: defaults, key, headers, JSON value, and where it went', async () => {
    const producer = await connected({ keyStrategy: 'tenant.vmId' });
    const result = await producer.publish(withVm('vm-7'));
    expect(producer.published).toHaveLength(1);
    const [record] = producer.published;
    expect(result).toEqual({
      eventId: record!.eventId,
      topic: 'vmware.events',
      partition: 0,
      offset: '0',
      key: 't.vm-7',
    });
    expect(record).toMatchObject({ kind: 'vm-operation-event', key: 't.vm-7', topic: 'vmware.events' });
    expect(record!.event).toMatchObject({
      source: SOURCE,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      correlationId: record!.eventId,
    });
    // The same bytes the codec gives for the event with its defaults.
    const again = encodeVmOperationEvent(record!.event as VmOperationEvent, { keyStrategy: 'tenant.vmId' });
    expect({ key: record!.key, value: record!.value, headers: record!.headers }).toEqual(again);
  });

  it('refuses an invalid event with the SchemaValidationError the real producer gives, storing nothing', async () => {
    const producer = await connected();
    const bad = { operationInfo: { ...vmEventInput().operationInfo, operation: 'explode' } };
    const error = await rejection(producer.publish(bad as never));
    expect(isSchemaValidationError(error)).toBe(true);
    let expected: unknown;
    try {
      encodeVmOperationEvent(bad as never, { source: SOURCE });
    } catch (e) {
      expected = e;
    }
    expect((error as Error).message).toBe((expected as Error).message);
    const noSource = createInMemoryProducer();
    await noSource.connect();
    expect(((await rejection(noSource.publish(vmEventInput()))) as Error).message).toContain("'source'");
    expect(producer.published).toEqual([]);
  });

  it('checks a whole batch before storing any of it, with every problem by index', async () => {
    const producer = await connected();
    const bad = { operationInfo: { ...vmEventInput().operationInfo, tenantId: '' } };
    const error = await rejection(producer.publishBatch([withVm('vm-1'), bad as never, withVm('vm-3')]));
    expect(isSchemaValidationError(error) && error.issues.map((i) => i.path)).toContain(
      '/1/operationInfo/tenantId',
    );
    expect(producer.published).toEqual([]);
    const results = await producer.publishBatch([withVm('vm-1'), withVm('vm-2')]);
    expect(results.map((r) => r.offset)).toEqual(['0', '1']);
    expect(await producer.publishBatch([])).toEqual([]);
    await expect(producer.publishBatch('nope' as never)).rejects.toThrow(TypeError);
  });

  it("names topics like the real producer's options say, and refuses an invalid override", async () => {
    const byEnv = await connected({ topic: 'environment' });
    expect((await byEnv.publish(withVm('vm-1', 'prod'))).topic).toBe('vmware.events.prod');
    const team = await connected({ topic: { team: 'billing' } });
    expect((await team.publish(withVm('vm-1'))).topic).toBe('vmware.events.billing');
    expect((await team.publish(withVm('vm-1'), { topic: 'custom.topic' })).topic).toBe('custom.topic');
    await expect(team.publish(withVm('vm-1'), { topic: 'bad topic' })).rejects.toThrow('Invalid topic name');
    expect(() => createInMemoryProducer({ topic: { team: 'dlq' } })).toThrow("'dlq' is reserved");
  });

  it('knows only the topics it is given, with their partitions and max.message.bytes', async () => {
    const producer = await connected({
      topics: { 'vmware.events': { partitions: 6 }, tiny: { maxMessageBytes: 300 } },
    });
    const results = await Promise.all(
      ['vm-1', 'vm-2', 'vm-3', 'vm-4'].map((vm) => producer.publish(withVm(vm))),
    );
    expect(results.map((r) => r.partition)).toEqual(
      ['vm-1', 'vm-2', 'vm-3', 'vm-4'].map((k) => partitionForKey(k, 6)),
    );
    const unknown = await rejection(producer.publish(withVm('vm-1'), { topic: 'missing' }));
    expect(isProducerError(unknown, 'PRODUCER_UNKNOWN_TOPIC')).toBe(true);
    const large = await rejection(producer.publish(withVm('vm-1'), { topic: 'tiny' }));
    expect(isProducerError(large, 'PRODUCER_MESSAGE_TOO_LARGE')).toBe(true);
    expect((large as Error).message).toContain('more than topic "tiny" accepts (max.message.bytes=300)');
    const list = await connected({ topics: ['vmware.events'] });
    await expect(list.publish(withVm('vm-1'), { topic: 'other' })).rejects.toThrow(
      'Topic "other" does not exist',
    );
  });

  it('publishes domain events with the same option checks', async () => {
    const producer = await connected({ environment: 'bugfest' });
    const event: DomainEvent = { type: 'CREATE', tenant: 'diku', new: { id: 'i-1' } };
    await expect(producer.publishDomainEvent(event, { entity: 'instance' })).rejects.toThrow(
      'publishDomainEvent needs a topic, or module (option or producer option) and entity to name it',
    );
    const result = await producer.publishDomainEvent(event, {
      module: 'inventory-storage',
      entity: 'instance',
    });
    expect(result).toMatchObject({ topic: 'bugfest.diku.inventory.instance', key: 'i-1' });
    expect(producer.published[0]).toMatchObject({ kind: 'domain-event', event, eventId: result.eventId });
    const noEnv = await connected();
    await expect(noEnv.publishDomainEvent(event, { entity: 'instance', module: 'm' })).rejects.toThrow(
      'publishDomainEvent needs an environment',
    );
  });

  it('has the real lifecycle: connect first, nothing after disconnect', async () => {
    const producer = createInMemoryProducer({ source: SOURCE });
    const early = await rejection(producer.publish(vmEventInput()));
    expect(isProducerError(early, 'PRODUCER_NOT_CONNECTED')).toBe(true);
    await producer.connect();
    await producer.connect();
    await producer.disconnect();
    await producer.disconnect();
    expect(isProducerError(await rejection(producer.publish(vmEventInput())), 'PRODUCER_CLOSED')).toBe(true);
    expect(isProducerError(await rejection(producer.connect()), 'PRODUCER_CLOSED')).toBe(true);
    expect(() => createInMemoryProducer({ lingerMs: -1 })).toThrow(/lingerMs/);
  });
});

describe('createInMemoryProducer: the spy', () => {
  it('waits for an event published already or later, by id or by a test on the record', async () => {
    const producer = await connected();
    const first = await producer.publish(withVm('vm-1'));
    expect((await producer.waitForPublished(first.eventId)).key).toBe('vm-1');
    const later = producer.waitForPublished((r) => r.key === 'vm-2');
    setTimeout(() => void producer.publish(withVm('vm-2')), 10);
    expect((await later).offset).toBe('1');
  });

  it('rejects after the timeout, listing what was published', async () => {
    const producer = await connected();
    const { eventId } = await producer.publish(withVm('vm-1'));
    await expect(producer.waitForPublished('no-such-id', { timeoutMs: 20 })).rejects.toThrow(
      `No event no-such-id was published within 20 ms; published: ${eventId} → vmware.events`,
    );
  });

  it('hands each record to listeners; flush awaits them and reports the first failure', async () => {
    const producer = await connected();
    const delivered: string[] = [];
    const off = producer.onPublish(async (record) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      delivered.push(record.key);
    });
    await producer.publishBatch([withVm('vm-1'), withVm('vm-2')]);
    await producer.flush();
    expect(delivered).toEqual(['vm-1', 'vm-2']);
    off();
    producer.onPublish(() => {
      throw new Error('downstream test double broke');
    });
    await producer.publish(withVm('vm-3'));
    await expect(producer.flush()).rejects.toThrow('downstream test double broke');
    await expect(producer.flush()).resolves.toBeUndefined();
    expect(delivered).toEqual(['vm-1', 'vm-2']);
  });

  it('fails the next call with a given error, then works again; clear forgets the records', async () => {
    const producer = await connected();
    const outage = new BrokerUnavailableError(['in-memory:9092'], 3);
    producer.failNext(outage);
    await expect(producer.publish(withVm('vm-1'))).rejects.toBe(outage);
    expect(producer.published).toEqual([]);
    await producer.publish(withVm('vm-1'));
    producer.clear();
    expect(producer.published).toEqual([]);
    expect((await producer.publish(withVm('vm-1'))).offset).toBe('0');
  });

  it('rejects a call whose signal is already aborted', async () => {
    const producer = await connected();
    const controller = new AbortController();
    controller.abort(new Error('test over'));
    await expect(producer.publish(withVm('vm-1'), { signal: controller.signal })).rejects.toThrow(
      'test over',
    );
  });
});
