/**
 * encodeVmOperationEvent writes valid events with serializers generated from the schema (fast-json-stringify):
 * the JSON must mean exactly the event, for every valid test vector and for strings that need escaping.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeVmOperationEvent, validateVmOperationEvent } from '@org/vmware-events-schema';

const VECTORS = fileURLToPath(new URL('../../../../schemas/test-vectors/', import.meta.url));
const index = JSON.parse(readFileSync(join(VECTORS, 'index.json'), 'utf8')) as {
  vectors: Array<{ file: string; schema: string; valid: boolean; mode?: string; json?: false }>;
};

const base = {
  schemaVersion: '1.0',
  eventId: '0b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
  source: 'https://vc01.example.com/sdk',
  correlationId: 'req-42',
  operationInfo: {
    operation: 'create',
    timestamp: '2025-01-19T11:00:00.123456789+01:00',
    vmId: 'vm-1004',
    vmName: 'web-1',
    username: 'automationUser',
    environment: 'DEV',
    tenantId: 'tenantA',
    notes: 'created',
    vcenter: {
      instanceUuid: '2f0d1c3e-4a5b-4f2a-9b6e-0b8f6f7e3c1d',
      eventKey: 4711,
      eventType: 'VmCreatedEvent',
      createdTime: '2025-01-19T10:59:59Z',
      chainId: 4710,
    },
  },
  vmData: { cpu: 4, memoryMB: 8192, storageGB: 100 },
};

/** Strings that take every branch of the serializer's escaping: short, long (≥ 42), quotes, controls, surrogates. */
const TRICKY = [
  'plain',
  'with "quotes" and \\ backslash',
  'tab\tnew line\n nul\u0000 del\u007f',
  'ünïcödé ✓ 🖥 \u2028\u2029',
  'lone \ud800 surrogate',
  `${'long text '.repeat(10)}"quoted" \\ and \n`,
  `${'long text '.repeat(10)}\ud83d`,
  'x'.repeat(4096),
];

function expectSameMeaning(value: object): void {
  const result = encodeVmOperationEvent(value);
  if (!result.valid) throw new Error(`expected valid: ${JSON.stringify(result.issues)}`);
  expect(JSON.parse(result.json)).toEqual(value);
  // Same text as JSON.stringify up to property order: no whitespace, the same escapes.
  expect(result.json.length).toBe(JSON.stringify(value).length);
  expect(result.value).toBe(value);
}

describe('encodeVmOperationEvent', () => {
  const valid = index.vectors.filter((v) => v.schema === 'vm-operation-event' && v.valid && v.json !== false);

  it('writes every valid test vector so that it parses back to the same event', () => {
    expect(valid.length).toBeGreaterThan(5);
    for (const vector of valid) {
      const value = JSON.parse(readFileSync(join(VECTORS, vector.file), 'utf8')) as object;
      expectSameMeaning(value);
    }
  });

  it('escapes every string the way JSON requires', () => {
    for (const text of TRICKY) {
      expectSameMeaning({ ...base, operationInfo: { ...base.operationInfo, notes: text } });
      if (text.length <= 255) {
        expectSameMeaning({ ...base, operationInfo: { ...base.operationInfo, vmName: text, vmId: text } });
      }
    }
  });

  it('writes state events without vmData, and with a partial one', () => {
    const { vmData: _omit, ...withoutVmData } = base;
    expectSameMeaning({ ...withoutVmData, operationInfo: { ...base.operationInfo, operation: 'power_on' } });
    expectSameMeaning({
      ...base,
      operationInfo: { ...base.operationInfo, operation: 'update' },
      vmData: { cpu: 2 },
    });
  });

  it('keeps the properties of a newer minor it validated leniently', () => {
    const newer = { ...base, schemaVersion: '1.9', addedLater: { x: [1, 'two'] } };
    expect(validateVmOperationEvent(newer).valid).toBe(true);
    expectSameMeaning(newer);
    const result = encodeVmOperationEvent(newer);
    expect(result.valid && result.json).toContain('"addedLater":{"x":[1,"two"]}');
  });

  it('reports the same issues as validateVmOperationEvent for an invalid event, and writes nothing', () => {
    const invalid = { ...base, extra: true, operationInfo: { ...base.operationInfo, tenantId: 'a b' } };
    const validation = validateVmOperationEvent(invalid);
    const result = encodeVmOperationEvent(invalid);
    expect(result.valid).toBe(false);
    expect(validation.valid).toBe(false);
    expect(result).toEqual({ valid: false, issues: !validation.valid && validation.issues });
    expect('json' in result).toBe(false);
  });
});
