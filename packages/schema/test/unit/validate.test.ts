import { describe, expect, it } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  OPERATIONS,
  RESOURCE_OPERATIONS,
  SUPPORTED_SCHEMA_VERSIONS,
  assertDomainEvent,
  assertVmOperationEvent,
  isEventDecodeError,
  isResourceOperationEvent,
  isSchemaValidationError,
  parseDomainEvent,
  parseVmOperationEvent,
  validateDomainEvent,
  validateEventHeaders,
  validateVmOperationEvent,
  validateVmOperationEventTrustingEnvelope,
  type ValidationIssue,
  type VmOperationEvent,
} from '@org/vmware-events-schema';

const powerOn = {
  schemaVersion: '1.1',
  eventId: '0b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
  source: 'https://vc01.example.com/sdk',
  correlationId: '0b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
  operationInfo: {
    operation: 'power_on',
    timestamp: '2025-01-19T11:00:00Z',
    vmId: 'vm-1004',
    username: 'automationUser',
    environment: 'DEV',
    tenantId: 'tenantA',
  },
};
const create = {
  ...powerOn,
  operationInfo: { ...powerOn.operationInfo, operation: 'create' },
  vmData: { cpu: 4, memoryMB: 8192, storageGB: 100 },
};

const paths = (issues: ValidationIssue[]) => issues.map((i) => i.path).sort();
function issuesOf(value: unknown): ValidationIssue[] {
  const result = validateVmOperationEvent(value);
  if (result.valid) throw new Error('expected the value to be invalid');
  return result.issues;
}

describe('validateVmOperationEvent', () => {
  it('accepts a valid event and returns the same value', () => {
    const result = validateVmOperationEvent(create);
    expect(result).toEqual({ valid: true, value: create });
    expect(result.valid && result.value).toBe(create);
  });

  it('accepts every operation (vmData only where the operation requires it)', () => {
    for (const operation of OPERATIONS) {
      const event = { ...powerOn, operationInfo: { ...powerOn.operationInfo, operation } };
      const withData = { ...event, vmData: create.vmData };
      expect(validateVmOperationEvent(withData).valid, operation).toBe(true);
      expect(validateVmOperationEvent(event).valid, operation).toBe(
        !(RESOURCE_OPERATIONS as readonly string[]).includes(operation),
      );
    }
  });

  it('reports a create without vmData at /vmData only (no noise from the other variant)', () => {
    const { vmData: _omit, ...noData } = create;
    expect(issuesOf(noData)).toEqual([
      {
        path: '/vmData',
        keyword: 'required',
        message: "must have required property 'vmData'",
        params: { missingProperty: 'vmData' },
      },
    ]);
  });

  it('requires a complete vmData for resize, a partial one is fine for power_on', () => {
    const resize = {
      ...create,
      operationInfo: { ...create.operationInfo, operation: 'resize' },
      vmData: { cpu: 8 },
    };
    expect(paths(issuesOf(resize))).toEqual(['/vmData/memoryMB', '/vmData/storageGB']);
    expect(validateVmOperationEvent({ ...powerOn, vmData: { cpu: 8 } }).valid).toBe(true);
  });

  it('lists every problem (allErrors) with the path of the offending value', () => {
    const bad = {
      ...create,
      eventId: 'not-a-uuid',
      operationInfo: { ...create.operationInfo, timestamp: 'yesterday', environment: 'has space', extra: 1 },
      vmData: { cpu: 0, memoryMB: 1.5, storageGB: 100 },
    };
    const issues = issuesOf(bad);
    expect(
      issues
        .filter((i) => i.path === '/operationInfo/timestamp')
        .map((i) => i.keyword)
        .sort(),
    ).toEqual(['format', 'pattern']);
    expect([...new Set(paths(issues))]).toEqual([
      '/eventId',
      '/operationInfo/environment',
      '/operationInfo/extra',
      '/operationInfo/timestamp',
      '/vmData/cpu',
      '/vmData/memoryMB',
    ]);
  });

  it('names every operation when the operation is unknown', () => {
    const issues = issuesOf({
      ...powerOn,
      operationInfo: { ...powerOn.operationInfo, operation: 'explode' },
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: '/operationInfo/operation', keyword: 'enum' });
    expect(issues[0]!.params.allowedValues).toEqual(OPERATIONS);
    expect(issues[0]!.message).toContain('create, delete, update, resize');
  });

  it('rejects unknown properties in an event of a known version (producers validate strictly)', () => {
    expect(issuesOf({ ...create, gpu: 1 })).toMatchObject([
      { path: '/gpu', keyword: 'additionalProperties' },
    ]);
  });

  it('validates an event of a newer minor leniently: unknown properties ignored, known ones checked', () => {
    const newer = { ...create, schemaVersion: '1.7', gpu: 1, vmData: { ...create.vmData, gpuCount: 2 } };
    expect(validateVmOperationEvent(newer).valid).toBe(true);
    const newerBad = { ...newer, vmData: { cpu: 4, gpuCount: 2 } };
    expect(paths(issuesOf(newerBad))).toEqual(['/vmData/memoryMB', '/vmData/storageGB']);
  });

  it('rejects an unknown major with one issue at /schemaVersion', () => {
    const issues = issuesOf({ ...create, schemaVersion: '2.0' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: '/schemaVersion', keyword: 'schemaVersion' });
    expect(issues[0]!.message).toContain("'2.0'");
  });

  it('reports a missing or malformed version at /schemaVersion together with every other problem', () => {
    const { schemaVersion: _v, ...noVersion } = create;
    expect(issuesOf(noVersion)).toMatchObject([{ path: '/schemaVersion', keyword: 'required' }]);
    expect(issuesOf({ ...create, schemaVersion: 'v1' })).toMatchObject([
      { path: '/schemaVersion', keyword: 'pattern' },
    ]);
    expect(issuesOf({ ...create, schemaVersion: `${'9'.repeat(5000)}.0` })).toMatchObject([
      { path: '/schemaVersion', keyword: 'pattern' },
    ]);
    expect(issuesOf({ ...create, schemaVersion: 1, eventId: 'x' }).map((i) => i.path)).toEqual([
      '/schemaVersion',
      '/eventId',
    ]);
  });

  it('rejects values that are not objects at the root path', () => {
    for (const value of [null, 42, 'event', [create]]) {
      expect(issuesOf(value)).toMatchObject([{ path: '', keyword: 'type' }]);
    }
  });

  it('escapes JSON Pointer characters in property names', () => {
    expect(issuesOf({ ...create, 'a/b~c': 1 })).toMatchObject([{ path: '/a~1b~0c' }]);
  });

  it('counts minLength/maxLength in code points, not UTF-16 units, at the edges', () => {
    // The generated validators test the UTF-16 length first and count code points only when that cannot decide.
    const astral = '\u{1F5A5}'; // 🖥: one code point, two UTF-16 units
    const withName = (vmName: string) => ({
      ...powerOn,
      operationInfo: { ...powerOn.operationInfo, vmName },
    });
    const nameIssues = (vmName: string) => {
      const result = validateVmOperationEvent(withName(vmName));
      return result.valid ? [] : result.issues.map((i) => `${i.path} ${i.keyword}`);
    };
    expect(nameIssues(astral)).toEqual([]); // length 2, one code point: not shorter than minLength 1
    expect(nameIssues('')).toEqual(['/operationInfo/vmName minLength']);
    expect(nameIssues(astral.repeat(255))).toEqual([]); // 510 units, 255 code points: maxLength 255 holds
    expect(nameIssues(astral.repeat(256))).toEqual(['/operationInfo/vmName maxLength']);
    expect(nameIssues('a'.repeat(255))).toEqual([]);
    expect(nameIssues('a'.repeat(256))).toEqual(['/operationInfo/vmName maxLength']);
    expect(nameIssues(`${'a'.repeat(254)}${astral}`)).toEqual([]); // 256 units, 255 code points
    expect(nameIssues(`${'a'.repeat(255)}${astral}`)).toEqual(['/operationInfo/vmName maxLength']);
    // A lone surrogate is one code point, like any other UTF-16 unit that is not part of a pair.
    expect(nameIssues('\uD800'.repeat(255))).toEqual([]);
    expect(nameIssues('\uD800'.repeat(256))).toEqual(['/operationInfo/vmName maxLength']);
  });

  it('uses the current version by default', () => {
    expect(CURRENT_SCHEMA_VERSION).toBe('1.1');
    expect(SUPPORTED_SCHEMA_VERSIONS).toEqual(['1.0', '1.1']);
  });

  it('validates each event by the version it declares: a wrapped vCenter key and the 1.1 fields only in 1.1', () => {
    const vcenter = {
      instanceUuid: '8c3c5f8a-6e54-4a1f-9d3f-2b7e4a0c1d22',
      eventKey: -2147483648,
      eventType: 'VmRestartedOnAlternateHostEvent',
      createdTime: '2025-01-19T11:00:00.123456Z',
      chainId: -2147483648,
      vmInstanceUuid: '5012a7c0-1111-2222-3333-444455556666',
    };
    const wrapped = {
      ...powerOn,
      operationInfo: { ...powerOn.operationInfo, detail: 'ha_restart', vcenter },
    };
    expect(validateVmOperationEvent(wrapped)).toMatchObject({ valid: true });
    const asV10 = validateVmOperationEvent({ ...wrapped, schemaVersion: '1.0' });
    expect(!asV10.valid && asV10.issues.map((i) => i.path).sort()).toEqual([
      '/operationInfo/detail',
      '/operationInfo/vcenter/chainId',
      '/operationInfo/vcenter/eventKey',
      '/operationInfo/vcenter/vmInstanceUuid',
    ]);
    // Still an int32: one past either end is refused.
    for (const eventKey of [2147483648, -2147483649]) {
      const outside = validateVmOperationEvent({
        ...wrapped,
        operationInfo: { ...wrapped.operationInfo, vcenter: { ...vcenter, eventKey } },
      });
      expect(!outside.valid && outside.issues.map((i) => i.path)).toEqual([
        '/operationInfo/vcenter/eventKey',
      ]);
    }
  });
});

describe('assertVmOperationEvent / parseVmOperationEvent', () => {
  it('throws a SchemaValidationError naming the schema and every issue', () => {
    const { vmData: _omit, ...noData } = create;
    let caught: unknown;
    try {
      assertVmOperationEvent({ ...noData, eventId: 'nope' });
    } catch (error) {
      caught = error;
    }
    expect(isSchemaValidationError(caught)).toBe(true);
    if (!isSchemaValidationError(caught)) return;
    expect(caught.schema).toBe('vm-operation-event@1.1');
    expect(caught.retriable).toBe(false);
    expect(caught.issues.map((i) => i.path).sort()).toEqual(['/eventId', '/vmData']);
    expect(caught.message).toContain("/vmData: must have required property 'vmData'");
  });

  it('parses bytes and strings into a typed event', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(create));
    const event: VmOperationEvent = parseVmOperationEvent(bytes);
    expect(event).toEqual(create);
    expect(parseVmOperationEvent(JSON.stringify(powerOn))).toEqual(powerOn);
    expect(isResourceOperationEvent(event)).toBe(true);
  });

  it('throws EventDecodeError (INVALID_JSON) with the parser error as cause for undecodable input', () => {
    for (const input of ['{"schemaVersion":', '', new Uint8Array([0xff, 0xfe, 0x7b])]) {
      let caught: unknown;
      try {
        parseVmOperationEvent(input);
      } catch (error) {
        caught = error;
      }
      expect(isEventDecodeError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'INVALID_JSON', name: 'EventDecodeError', retriable: false });
      expect((caught as Error).cause).toBeDefined();
    }
  });

  it('throws SchemaValidationError for valid JSON that is not an event', () => {
    expect(() => parseVmOperationEvent('{"operation":"create"}')).toThrow(/Invalid vm-operation-event@1.1/);
  });

  it('names the lenient schema in the error for a newer minor', () => {
    expect(() => assertVmOperationEvent({ ...create, schemaVersion: '1.3', vmData: {} })).toThrow(
      /vm-operation-event@1.1 \(lenient: event declares 1.3\)/,
    );
  });
});

describe('validateDomainEvent', () => {
  const entity = { id: 'a1', title: 'x' };
  it.each([
    [{ type: 'CREATE', tenant: 'diku', new: entity }],
    [{ type: 'UPDATE', tenant: 'diku', old: entity, new: entity }],
    [{ type: 'DELETE', tenant: 'diku', old: entity }],
    [{ type: 'DELETE_ALL', tenant: 'diku' }],
  ])('accepts %j', (event) => {
    expect(validateDomainEvent(event).valid).toBe(true);
    expect(() => assertDomainEvent(event)).not.toThrow();
  });

  it.each([
    [{ type: 'CREATE', tenant: 'diku' }, ['/new']],
    [{ type: 'CREATE', tenant: 'diku', new: entity, old: entity }, ['/old']],
    [{ type: 'UPDATE', tenant: 'diku', new: entity }, ['/old']],
    [{ type: 'DELETE', tenant: 'diku', new: entity }, ['/new', '/old']],
    [{ type: 'DELETE_ALL', tenant: 'diku', old: entity }, ['/old']],
    [{ type: 'delete', tenant: 'diku', old: entity }, ['/type']],
    [{ tenant: 'di ku', old: entity }, ['/tenant', '/type']],
    [{ type: 'CREATE', tenant: 'diku', new: [] }, ['/new']],
  ])('rejects %j at %j', (event, expected) => {
    const result = validateDomainEvent(event);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(paths(result.issues)).toEqual(expected);
  });

  it('parses a DELETE_ALL event from bytes', () => {
    const bytes = new TextEncoder().encode('{"type":"DELETE_ALL","tenant":"diku"}');
    expect(parseDomainEvent(bytes)).toEqual({ type: 'DELETE_ALL', tenant: 'diku' });
    expect(() => parseDomainEvent('not json')).toThrow(expect.objectContaining({ code: 'INVALID_JSON' }));
  });
});

describe('validateEventHeaders', () => {
  const headers = {
    env: 'DEV',
    tenant: 'tenantA',
    operationType: 'power_on',
    contentVersion: '1.0',
    correlationId: 'req-42',
    eventId: '0b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
    'content-type': 'application/json',
    ce_specversion: '1.0',
    ce_id: '0b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
    ce_source: 'https://vc01.example.com/sdk',
    ce_type: 'com.vmware.events.vm.power_on.v1',
    ce_time: '2025-01-19T11:00:00Z',
    ce_subject: 'vm-1004',
  };
  it('accepts the headers of an event, with other string headers', () => {
    expect(validateEventHeaders(headers).valid).toBe(true);
    expect(validateEventHeaders({ ...headers, 'x-okapi-tenant': 'diku' }).valid).toBe(true);
  });
  it('rejects missing headers, non-string values and inconsistent CloudEvents attributes', () => {
    const { ce_id: _id, ...noId } = headers;
    const r1 = validateEventHeaders({ ...noId, custom: 1 });
    expect(!r1.valid && paths(r1.issues)).toEqual(['/ce_id', '/custom']);
    const r2 = validateEventHeaders({
      ...headers,
      ce_id: '1b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
      ce_type: 'com.vmware.events.vm.create.v1',
    });
    expect(!r2.valid && r2.issues.map((i) => [i.path, i.keyword])).toEqual([
      ['/ce_id', 'consistency'],
      ['/ce_type', 'consistency'],
    ]);
  });
});

describe('validateVmOperationEventTrustingEnvelope (for envelope values a producer made itself)', () => {
  const trusting = validateVmOperationEventTrustingEnvelope;

  it('accepts what validateVmOperationEvent accepts', () => {
    for (const event of [powerOn, create]) expect(trusting(event)).toEqual(validateVmOperationEvent(event));
  });

  it('gives an invalid event exactly the issues of validateVmOperationEvent', () => {
    const invalid: unknown[] = [
      { ...powerOn, operationInfo: { ...powerOn.operationInfo, tenantId: 'tenant A', vmName: '' } },
      { ...create, vmData: { cpu: 4 } },
      { ...powerOn, extra: true, operationInfo: { ...powerOn.operationInfo, operation: 'explode' } },
      { ...powerOn, eventId: 'not-a-uuid', operationInfo: { ...powerOn.operationInfo, vmId: '' } },
      { ...powerOn, schemaVersion: '1.7', operationInfo: { ...powerOn.operationInfo, vmId: '' } },
      { ...powerOn, schemaVersion: '2.0' },
      'not an event',
    ];
    for (const event of invalid) {
      const result = trusting(event);
      expect(result.valid, JSON.stringify(event)).toBe(false);
      expect(result).toEqual(validateVmOperationEvent(event));
    }
  });

  it('skips only the patterns and formats of schemaVersion, eventId, correlationId, source, timestamp, environment and tenantId', () => {
    const unchecked = {
      ...powerOn,
      eventId: 'NOT-A-UUID',
      correlationId: 'has space',
      source: 'not a uri',
      operationInfo: {
        ...powerOn.operationInfo,
        timestamp: 'yesterday',
        environment: 'pr od',
        tenantId: 'tenant A',
      },
    };
    expect(validateVmOperationEvent(unchecked).valid).toBe(false);
    expect(trusting(unchecked).valid).toBe(true);
    // Presence, types and lengths of the same values are still checked, and so is a newer schema version.
    const { eventId: _dropped, ...noEventId } = powerOn;
    expect(trusting(noEventId).valid).toBe(false);
    expect(trusting({ ...powerOn, correlationId: 42 }).valid).toBe(false);
    expect(trusting({ ...powerOn, source: '' }).valid).toBe(false);
    expect(trusting({ ...powerOn, schemaVersion: '1.9', eventId: 'NOT-A-UUID' }).valid).toBe(false);
    expect(trusting({ ...powerOn, operationInfo: { ...powerOn.operationInfo, environment: 7 } }).valid).toBe(
      false,
    );
  });
});
