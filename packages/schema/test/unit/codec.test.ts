import { Kafka } from 'cloudevents';
import type { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  CLOUDEVENT_JSON_CONTENT_TYPE,
  HeaderValueCache,
  RECORD_OVERHEAD_BYTES,
  buildEventHeaders,
  decodeHeaders,
  decodeRecord,
  deriveEventId,
  encodeDomainEvent,
  encodeStructuredCloudEvent,
  encodeVmOperationEvent,
  encodeVmOperationEvents,
  isSchemaValidationError,
  isVmwEventsError,
  recordSize,
  toCloudEvent,
} from '@org/vmware-events-schema';
import type { VmOperationEvent, VmOperationEventInput } from '@org/vmware-events-schema';

const SOURCE = 'urn:vmware-events:test';

function input(over: Partial<VmOperationEventInput['operationInfo']> = {}): VmOperationEventInput {
  return {
    operationInfo: {
      operation: 'power_on',
      vmId: 'vm-7',
      username: 'alice@example.com',
      environment: 'DEV',
      tenantId: 'tenantA',
      ...over,
    },
  } as VmOperationEventInput;
}

function failure(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('encodeVmOperationEvent', () => {
  it('fills in the defaults, and writes the key, the JSON and the header table of the completed event', () => {
    const raw = input();
    const record = encodeVmOperationEvent(raw, { source: SOURCE, now: () => '2026-12-01T10:00:00.000Z' });
    const event = JSON.parse(record.value) as VmOperationEvent;
    expect(event).toMatchObject({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      source: SOURCE,
      correlationId: event.eventId,
      operationInfo: { timestamp: '2026-12-01T10:00:00.000Z' },
    });
    expect(record.key).toBe('vm-7');
    expect(record.headers).toEqual(buildEventHeaders(event));
    expect(raw).toEqual(input()); // the caller's object is not changed
  });

  it('keys by the key strategy and keeps what the event carries', () => {
    const own = {
      ...input(),
      eventId: '3f1c1f4e-6f1a-4c8e-9d59-2f4b7c7f3a10',
      correlationId: 'req-1',
      source: 'urn:vmware-events:own',
    };
    const record = encodeVmOperationEvent(own, { keyStrategy: 'env.tenant.vmId', source: SOURCE });
    expect(record.key).toBe('DEV.tenantA.vm-7');
    expect(record.headers).toMatchObject({
      eventId: own.eventId,
      correlationId: 'req-1',
      ce_source: own.source,
    });
  });

  it('derives the event id from an identity, and refuses an event id that disagrees with it', () => {
    const record = encodeVmOperationEvent(input(), { source: SOURCE, identity: ['vc-1', 42] });
    expect(record.headers.eventId).toBe(deriveEventId('vc-1', 42));
    const error = failure(() =>
      encodeVmOperationEvent(
        { ...input(), eventId: '3f1c1f4e-6f1a-4c8e-9d59-2f4b7c7f3a10' },
        { source: SOURCE, identity: ['vc-1', 42] },
      ),
    );
    expect(isVmwEventsError(error, 'INVALID_OPTIONS')).toBe(true);
  });

  it('names every problem: the schema, a version it does not write, a missing source', () => {
    const error = failure(() =>
      encodeVmOperationEvent({ ...input({ tenantId: 'tenant A' }), schemaVersion: '1.9' }),
    );
    expect(isSchemaValidationError(error)).toBe(true);
    const paths = (error as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path);
    expect(new Set(paths)).toEqual(new Set(['/operationInfo/tenantId', '/schemaVersion', '/source']));
    const messages = (error as Error).message;
    expect(messages).toContain('this SDK writes vm-operation-event 1.0');
    expect(messages).toContain('(or set the source option)');
  });

  it('writes trace context after the contract headers', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const record = encodeVmOperationEvent(input(), { source: SOURCE, traceparent, tracestate: 'k=v' });
    expect(Object.keys(record.headers).slice(-2)).toEqual(['traceparent', 'tracestate']);
  });

  it('with a header cache: the same headers, repeating values as the same bytes every time', () => {
    const headerCache = new HeaderValueCache();
    const first = encodeVmOperationEvent(input(), { source: SOURCE, headerCache });
    const second = encodeVmOperationEvent(input({ operation: 'power_off' }), { source: SOURCE, headerCache });
    for (const record of [first, second]) {
      const plain = buildEventHeaders(JSON.parse(record.value) as VmOperationEvent);
      expect(Object.keys(record.headers)).toEqual(Object.keys(plain));
      expect(decodeHeaders(record.headers)).toEqual(plain);
      expect(record.eventId).toBe(plain.eventId);
    }
    expect(second.headers.env).toBe(first.headers.env);
    expect(Buffer.isBuffer(second.headers.env)).toBe(true);
    expect(typeof second.headers.eventId).toBe('string');
  });

  it('with a full header cache: values beyond it are still checked, and written as text', () => {
    const headerCache = new HeaderValueCache(0);
    const record = encodeVmOperationEvent(input(), { source: SOURCE, headerCache });
    expect(record.headers.env).toBe('DEV');
    const error = failure(() =>
      encodeVmOperationEvent(input(), { source: `${SOURCE}\u0001`, headerCache: new HeaderValueCache() }),
    );
    expect(isVmwEventsError(error, 'INVALID_HEADER')).toBe(true);
  });
});

describe('encodeVmOperationEvents', () => {
  it('names the problems of every event by its index and makes no record', () => {
    const error = failure(() =>
      encodeVmOperationEvents([input(), 'no event' as never, input({ tenantId: 'tenant A' })], {
        source: SOURCE,
      }),
    );
    const paths = (error as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path);
    expect(paths).toEqual(['/1', '/2/operationInfo/tenantId']);
  });

  it('derives each event id from identityOf', () => {
    const records = encodeVmOperationEvents([input(), input()], {
      source: SOURCE,
      identityOf: (_, index) => (index === 0 ? ['vc-1', 1] : undefined),
    });
    expect(records[0]!.headers.eventId).toBe(deriveEventId('vc-1', 1));
    expect(records[1]!.headers.eventId).not.toBe(deriveEventId('vc-1', 1));
  });
});

describe('decodeRecord', () => {
  it('reads back what encodeVmOperationEvent wrote, from the bytes a Kafka client delivers', () => {
    const record = encodeVmOperationEvent(input(), { source: SOURCE });
    const bytes = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
    const decoded = decodeRecord({
      key: Buffer.from(record.key),
      value: Buffer.from(record.value),
      headers: bytes,
    });
    expect(decoded.event).toEqual(JSON.parse(record.value));
    expect(decoded.key).toBe('vm-7');
    expect(decoded.headers).toEqual(record.headers);
  });

  it('refuses a tombstone and bytes that are not an event', () => {
    expect(
      isVmwEventsError(
        failure(() => decodeRecord({ key: null, value: null })),
        'INVALID_JSON',
      ),
    ).toBe(true);
    expect(
      isVmwEventsError(
        failure(() => decodeRecord({ key: null, value: '{oops' })),
        'INVALID_JSON',
      ),
    ).toBe(true);
    expect(isSchemaValidationError(failure(() => decodeRecord({ key: null, value: '{}' })))).toBe(true);
  });

  it('hands the value to a custom decoder, tombstones included', () => {
    const decoded = decodeRecord({ key: 'k', value: null }, (value) => ({ tombstone: value === null }));
    expect(decoded).toEqual({ event: { tombstone: true }, key: 'k', headers: {} });
  });
});

describe('recordSize', () => {
  it('counts key, value, header names and values in UTF-8 bytes, plus the record overhead', () => {
    const headers = { a: 'é', bb: Buffer.from('xyz') };
    expect(recordSize({ key: '日本', value: 'ab', headers })).toBe(
      RECORD_OVERHEAD_BYTES + 6 + 2 + (1 + 2 + 4) + (2 + 3 + 4),
    );
    expect(recordSize({ key: null, value: null })).toBe(RECORD_OVERHEAD_BYTES);
  });
});

describe('encodeDomainEvent', () => {
  it('keys by the entity id (the nil UUID for DELETE_ALL), with the domain headers', () => {
    const record = encodeDomainEvent(
      { type: 'UPDATE', tenant: 'diku', old: { id: 'i-1' }, new: { id: 'i-1', title: 'B' } },
      { environment: 'DEV', source: 'urn:vmware-events:module:inventory', identity: ['inv', 7] },
    );
    expect(record.key).toBe('i-1');
    expect(record.headers).toMatchObject({
      operationType: 'UPDATE',
      ce_subject: 'i-1',
      eventId: deriveEventId('inv', 7),
    });
    const all = encodeDomainEvent(
      { type: 'DELETE_ALL', tenant: 'diku' },
      { environment: 'DEV', source: 's:x' },
    );
    expect(all.key).toBe('00000000-0000-0000-0000-000000000000');
  });
});

describe('encodeStructuredCloudEvent', () => {
  it('writes a structured-mode record that the CloudEvents SDK reads as the same CloudEvent', () => {
    const event = JSON.parse(encodeVmOperationEvent(input(), { source: SOURCE }).value) as VmOperationEvent;
    const cloudEvent = toCloudEvent(event);
    const record = encodeStructuredCloudEvent(cloudEvent, 'vm-7');
    expect(record.headers).toEqual({ 'content-type': CLOUDEVENT_JSON_CONTENT_TYPE });
    const read = Kafka.toEvent({
      key: record.key,
      value: record.value,
      headers: record.headers,
      body: record.value,
    } as never) as CloudEvent<VmOperationEvent>;
    expect(read.id).toBe(event.eventId);
    expect(read.data).toEqual(event);
  });
});
