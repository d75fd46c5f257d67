import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents';
import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  HEADER_NAMES,
  buildDomainEventHeaders,
  buildEventHeaders,
  cloudEventType,
  decodeHeaders,
  fromCloudEventHeaders,
  isInvalidHeaderError,
  readEventHeaders,
  toCloudEvent,
  type InvalidHeaderError,
  type VmOperationEvent,
} from '@org/vmware-events-schema';

const event: VmOperationEvent = {
  schemaVersion: '1.0',
  eventId: '7bd83482-369d-5871-88b3-aa94aae6f8b9',
  source: 'https://vc01.example.com/sdk',
  correlationId: 'req-77',
  operationInfo: {
    operation: 'power_on',
    timestamp: '2025-01-19T11:00:00Z',
    vmId: 'vm-1004',
    username: 'automationUser',
    environment: 'PROD',
    tenantId: 'tenantB',
  },
};

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function headerError(fn: () => unknown): InvalidHeaderError {
  try {
    fn();
  } catch (error) {
    expect(isInvalidHeaderError(error)).toBe(true);
    expect((error as InvalidHeaderError).code).toBe('INVALID_HEADER');
    expect((error as InvalidHeaderError).name).toBe('InvalidHeaderError');
    return error as InvalidHeaderError;
  }
  throw new Error('expected an InvalidHeaderError, nothing was thrown');
}

describe('HEADER_NAMES', () => {
  it('spells the seed-000 headers, eventId, content-type and the CloudEvents ce_ headers', () => {
    expect(HEADER_NAMES).toEqual({
      env: 'env',
      tenant: 'tenant',
      operationType: 'operationType',
      contentVersion: 'contentVersion',
      correlationId: 'correlationId',
      eventId: 'eventId',
      contentType: 'content-type',
      ceSpecVersion: 'ce_specversion',
      ceId: 'ce_id',
      ceSource: 'ce_source',
      ceType: 'ce_type',
      ceTime: 'ce_time',
      ceSubject: 'ce_subject',
      traceparent: 'traceparent',
      tracestate: 'tracestate',
    });
  });
});

describe('buildEventHeaders', () => {
  it('maps the event to the headers of the architecture table', () => {
    expect(buildEventHeaders(event)).toEqual({
      env: 'PROD',
      tenant: 'tenantB',
      operationType: 'power_on',
      contentVersion: '1.0',
      correlationId: 'req-77',
      eventId: '7bd83482-369d-5871-88b3-aa94aae6f8b9',
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: '7bd83482-369d-5871-88b3-aa94aae6f8b9',
      ce_source: 'https://vc01.example.com/sdk',
      ce_type: 'com.vmware.events.vm.power_on.v1',
      ce_time: '2025-01-19T11:00:00Z',
      ce_subject: 'vm-1004',
    });
  });

  it('never puts the username in a header', () => {
    expect(Object.values(buildEventHeaders(event))).not.toContain('automationUser');
  });

  it('adds W3C trace context when given', () => {
    const headers = buildEventHeaders(event, { traceparent, tracestate: 'congo=t61rcWkgMzE' });
    expect(headers.traceparent).toBe(traceparent);
    expect(headers.tracestate).toBe('congo=t61rcWkgMzE');
  });

  it('leaves out an empty tracestate', () => {
    expect(buildEventHeaders(event, { tracestate: '' })).not.toHaveProperty('tracestate');
  });

  it('rejects a traceparent that is not W3C trace context', () => {
    const error = headerError(() => buildEventHeaders(event, { traceparent: '00-abc-01' }));
    expect(error.header).toBe('traceparent');
    expect(error.message).toContain('is not W3C trace context');
  });

  it.each([
    ['env', { ...event, operationInfo: { ...event.operationInfo, environment: '' } }],
    ['tenant', { ...event, operationInfo: { ...event.operationInfo, tenantId: '' } }],
  ])('rejects an empty %s', (header, input) => {
    const error = headerError(() => buildEventHeaders(input));
    expect(error.header).toBe(header);
    expect(error.message).toBe(`Header '${header}' needs a non-empty string, got an empty string`);
  });

  it('rejects a value with CR or LF, which would split the header line', () => {
    const error = headerError(() => buildEventHeaders({ ...event, correlationId: 'req\r\nX-Injected: 1' }));
    expect(error.header).toBe('correlationId');
    expect(error.message).toBe(
      `Header 'correlationId' contains the control character U+000D (a line break would split the header in logs and HTTP bridges)`,
    );
  });

  it('rejects other control characters too', () => {
    const error = headerError(() =>
      buildEventHeaders({ ...event, operationInfo: { ...event.operationInfo, vmId: 'vm\u00001' } }),
    );
    expect(error.header).toBe('ce_subject');
    expect(error.message).toBe(`Header 'ce_subject' contains the control character U+0000`);
  });

  it('rejects a value that is not a string', () => {
    const error = headerError(() => buildEventHeaders({ ...event, schemaVersion: 1 as unknown as string }));
    expect(error.message).toBe(`Header 'contentVersion' needs a non-empty string, got number`);
  });
});

describe('cloudEventType', () => {
  it('is com.vmware.events.vm.<operation>.v1 for schema 1.x', () => {
    expect(cloudEventType('create')).toBe('com.vmware.events.vm.create.v1');
    expect(cloudEventType('create', '1.7')).toBe('com.vmware.events.vm.create.v1');
  });

  it('takes the version suffix from the major of the schema version', () => {
    expect(cloudEventType('resize', '2.0')).toBe('com.vmware.events.vm.resize.v2');
    expect(buildEventHeaders({ ...event, schemaVersion: '2.1' }).ce_type).toBe(
      'com.vmware.events.vm.power_on.v2',
    );
  });

  it.each(['1', 'v1.0', '1.0.0', '01.0'])('rejects the schema version %s', (version) => {
    const error = headerError(() => cloudEventType('create', version));
    expect(error.header).toBe('contentVersion');
    expect(error.message).toBe(`Schema version "${version}" is not MAJOR.MINOR (e.g. 1.0)`);
  });
});

describe('buildDomainEventHeaders', () => {
  it('maps a domain event with the environment, source and ids it is given', () => {
    const headers = buildDomainEventHeaders(
      { type: 'DELETE_ALL', tenant: 'diku' },
      {
        environment: 'bugfest',
        source: 'urn:vmware-events:module:inventory',
        eventId: '00000000-0000-4000-8000-000000000001',
        correlationId: 'job-1',
        time: '2025-01-19T11:00:00Z',
        subject: '00000000-0000-0000-0000-000000000000',
      },
    );
    expect(headers).toEqual({
      env: 'bugfest',
      tenant: 'diku',
      operationType: 'DELETE_ALL',
      contentVersion: '1.0',
      correlationId: 'job-1',
      eventId: '00000000-0000-4000-8000-000000000001',
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: '00000000-0000-4000-8000-000000000001',
      ce_source: 'urn:vmware-events:module:inventory',
      ce_type: 'com.vmware.events.domain.delete_all.v1',
      ce_time: '2025-01-19T11:00:00Z',
      ce_subject: '00000000-0000-0000-0000-000000000000',
    });
  });

  it('defaults the event id to a random UUID, the correlation id to it and the time to now', () => {
    const before = Date.now();
    const headers = buildDomainEventHeaders(
      { type: 'CREATE', tenant: 'diku' },
      { environment: 'dev', source: 'urn:x' },
    );
    expect(headers.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(headers.correlationId).toBe(headers.eventId);
    expect(headers.ce_id).toBe(headers.eventId);
    expect(Date.parse(headers.ce_time!)).toBeGreaterThanOrEqual(before - 1);
    expect(headers).not.toHaveProperty('ce_subject');
  });

  it('rejects an empty tenant', () => {
    const error = headerError(() =>
      buildDomainEventHeaders({ type: 'CREATE', tenant: '' }, { environment: 'dev', source: 'urn:x' }),
    );
    expect(error.header).toBe('tenant');
  });

  it('rejects an empty environment', () => {
    const error = headerError(() =>
      buildDomainEventHeaders({ type: 'CREATE', tenant: 'diku' }, { environment: '', source: 'urn:x' }),
    );
    expect(error.header).toBe('env');
  });
});

describe('decodeHeaders', () => {
  it('decodes Buffer, Uint8Array and string values as UTF-8', () => {
    expect(
      decodeHeaders({
        env: Buffer.from('PROD'),
        tenant: new TextEncoder().encode('ténant'),
        eventId: 'abc',
      }),
    ).toEqual({ env: 'PROD', tenant: 'ténant', eventId: 'abc' });
  });

  it('takes the first value of a repeated header', () => {
    expect(decodeHeaders({ env: [Buffer.from('PROD'), Buffer.from('DEV')] })).toEqual({ env: 'PROD' });
  });

  it('leaves out undefined headers and empty arrays', () => {
    expect(decodeHeaders({ env: undefined, tenant: [] })).toEqual({});
  });

  it('decodes a Buffer that is a slice of a larger pool', () => {
    const pool = Buffer.from('xxPRODyy');
    expect(decodeHeaders({ env: pool.subarray(2, 6) })).toEqual({ env: 'PROD' });
  });

  it('replaces bytes that are not UTF-8 with U+FFFD', () => {
    expect(decodeHeaders({ 'kafka_dlt-original-partition': Buffer.from([0, 0, 0, 0xff]) })).toEqual({
      'kafka_dlt-original-partition': '\u0000\u0000\u0000\ufffd',
    });
  });

  it('returns an empty object for records without headers', () => {
    expect(decodeHeaders(undefined)).toEqual({});
  });
});

describe('readEventHeaders', () => {
  it('reads back what buildEventHeaders wrote, from the bytes a Kafka client delivers', () => {
    const written = buildEventHeaders(event, { traceparent });
    const delivered = Object.fromEntries(
      Object.entries(written).map(([name, value]) => [name, Buffer.from(value)]),
    );
    expect(readEventHeaders(delivered)).toEqual(written);
  });

  it('types what it read as plain strings, not yet validated (checked by tsc)', () => {
    expectTypeOf(readEventHeaders({}).operationType).toEqualTypeOf<string | undefined>();
    expectTypeOf(buildEventHeaders(event).operationType).toEqualTypeOf<
      VmOperationEvent['operationInfo']['operation']
    >();
    expectTypeOf(buildEventHeaders(event)).toMatchTypeOf<Record<string, string>>();
  });

  it('ignores headers that are not the SDK headers and leaves absent ones absent', () => {
    expect(readEventHeaders({ env: 'DEV', 'x-other': 'y' })).toEqual({ env: 'DEV' });
  });

  it('rejects one of its headers that is not valid UTF-8, naming it', () => {
    const error = headerError(() => readEventHeaders({ tenant: Buffer.from([0xc3, 0x28]) }));
    expect(error.header).toBe('tenant');
    expect(error.message).toBe(`Header 'tenant' is not valid UTF-8`);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('rejects one of its headers that contains a control character', () => {
    const error = headerError(() => readEventHeaders({ eventId: 'a\nb' }));
    expect(error.message).toBe(`Header 'eventId' contains the control character U+000A`);
  });

  it('does not judge foreign binary headers', () => {
    expect(readEventHeaders({ 'kafka_dlt-original-offset': Buffer.from([0xff, 0xfe]) })).toEqual({});
  });
});

describe('CloudEvents mapping', () => {
  it('maps the event to a structured-mode CloudEvent with the same attributes as the headers', () => {
    expect(toCloudEvent(event)).toEqual({
      specversion: '1.0',
      id: event.eventId,
      source: 'https://vc01.example.com/sdk',
      type: 'com.vmware.events.vm.power_on.v1',
      time: '2025-01-19T11:00:00Z',
      subject: 'vm-1004',
      datacontenttype: 'application/json',
      data: event,
    });
  });

  it('reads the CloudEvent attributes back from binary-mode headers', () => {
    const { data: _data, ...attributes } = toCloudEvent(event);
    expect(fromCloudEventHeaders(buildEventHeaders(event))).toEqual(attributes);
  });

  it('rejects a record without ce_specversion as not a CloudEvent', () => {
    const error = headerError(() => fromCloudEventHeaders({ ce_id: 'x' }));
    expect(error.header).toBe('ce_specversion');
    expect(error.message).toBe(
      `Header 'ce_specversion' is missing: the record is not a binary-mode CloudEvent`,
    );
  });

  it('rejects another CloudEvents spec version', () => {
    const error = headerError(() => fromCloudEventHeaders({ ce_specversion: '0.3' }));
    expect(error.message).toBe(`Header 'ce_specversion' is "0.3"; only 1.0 is supported`);
  });

  it.each(['ce_id', 'ce_source', 'ce_type'])('rejects a binary-mode record without %s', (name) => {
    const headers: Record<string, string> = buildEventHeaders(event);
    delete headers[name];
    const error = headerError(() => fromCloudEventHeaders(headers));
    expect(error.header).toBe(name);
    expect(error.message).toBe(`Header '${name}' is required in a binary-mode CloudEvent`);
  });

  it('leaves optional attributes out when their headers are absent', () => {
    expect(
      fromCloudEventHeaders({ ce_specversion: '1.0', ce_id: 'i', ce_source: 's', ce_type: 't' }),
    ).toEqual({
      specversion: '1.0',
      id: 'i',
      source: 's',
      type: 't',
    });
  });
});

describe('interoperability with the CloudEvents SDK (cloudevents on npm)', () => {
  const key = 'vm-1004';

  /** What a CloudEvents Kafka reader makes of a record: one CloudEvent instance (the SDK does not validate yet). */
  function readWithSdk(message: KafkaMessage<string>): CloudEvent<VmOperationEvent> {
    const received = Kafka.toEvent<VmOperationEvent>(message);
    if (!(received instanceof CloudEvent)) throw new Error('expected one CloudEvent instance');
    return received as CloudEvent<VmOperationEvent>;
  }

  it('reads a binary-mode record as a valid CloudEvent whose data is the VM operation event', () => {
    const delivered = Object.fromEntries(
      Object.entries(buildEventHeaders(event, { traceparent })).map(([name, value]) => [
        name,
        Buffer.from(value),
      ]),
    );
    const value = JSON.stringify(event);
    const received = readWithSdk({ key, value, body: value, headers: decodeHeaders(delivered) });
    expect(received.validate()).toBe(true);
    expect(received.specversion).toBe('1.0');
    expect(received.id).toBe(event.eventId);
    expect(received.source).toBe(event.source);
    expect(received.type).toBe('com.vmware.events.vm.power_on.v1');
    expect(received.subject).toBe('vm-1004');
    expect(received.datacontenttype).toBe('application/json');
    expect(Date.parse(received.time!)).toBe(Date.parse(event.operationInfo.timestamp));
    expect(received.data).toEqual(event);
    expect((received as unknown as { partitionkey: string }).partitionkey).toBe(key);
  });

  it('writes the same ce_ headers and content-type as the SDK does for the same CloudEvent', () => {
    const { data, ...attributes } = toCloudEvent(event);
    const sdkMessage = Kafka.binary(new CloudEvent({ ...attributes, data, partitionkey: key }));
    const ours = buildEventHeaders(event);
    const pick = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(headers).filter(
          ([name, value]) => value !== undefined && (name.startsWith('ce_') || name === 'content-type'),
        ),
      );
    const sdk = pick(sdkMessage.headers);
    // The SDK also writes datacontenttype as ce_datacontenttype; the binding maps it to content-type only.
    expect(sdk.ce_datacontenttype).toBe(ours['content-type']);
    delete sdk.ce_datacontenttype;
    delete sdk.ce_partitionkey; // the SDK's extension; Kafka carries it as the record key
    expect(pick(ours)).toEqual(sdk);
  });

  it('gives a structured-mode CloudEvent the SDK accepts', () => {
    const value = JSON.stringify(toCloudEvent(event));
    const received = readWithSdk({
      key,
      value,
      body: value,
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    });
    expect(received.validate()).toBe(true);
    expect(received.type).toBe('com.vmware.events.vm.power_on.v1');
    expect(received.data).toEqual(event);
  });
});
