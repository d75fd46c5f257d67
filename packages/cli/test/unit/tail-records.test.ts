import { encodeVmOperationEvent } from '@org/vmware-events-schema';
import { describe, expect, it } from 'vitest';
import {
  formatTailRecord,
  matchesTailFilter,
  readTailRecord,
  tailRecordToJson,
} from '../../src/cli/tail-records.js';
import type { TailFilter, TailInput } from '../../src/cli/tail-records.js';

const NONE: TailFilter = { environments: [], tenants: [], operations: [], vms: [] };

const eventRecord = (info: Record<string, unknown> = {}): TailInput => {
  const { key, value, headers } = encodeVmOperationEvent({
    source: 'urn:test',
    operationInfo: {
      operation: 'power_on',
      timestamp: '2026-01-02T03:04:05Z',
      vmId: 'vm-1',
      username: 'alice',
      environment: 'PROD',
      tenantId: 'tenantA',
      ...info,
    },
  } as never);
  return {
    topic: 'vmware.events',
    partition: 1,
    offset: '7',
    timestamp: String(Date.parse('2026-01-02T03:04:06Z')),
    key: Buffer.from(key),
    value: Buffer.from(value),
    headers,
  };
};

const raw = (value: Buffer | string | null, headers: Record<string, string> = {}): TailInput => ({
  topic: 'vmware.events',
  partition: 0,
  offset: '3',
  timestamp: '0',
  key: Buffer.from('vm-9'),
  value: typeof value === 'string' ? Buffer.from(value) : value,
  headers,
});

describe('tail: decoding a record', () => {
  it('decodes an event with the record codec and reads the filter fields from it', () => {
    const record = readTailRecord(eventRecord({ vmName: 'web-01' }));
    expect(record.error).toBeUndefined();
    expect(record.event?.operationInfo.vmId).toBe('vm-1');
    expect(record.fields).toEqual({
      environment: 'PROD',
      tenant: 'tenantA',
      operation: 'power_on',
      vmId: 'vm-1',
      vmName: 'web-01',
    });
    expect(record.timestamp).toBe('2026-01-02T03:04:06.000Z');
  });

  it('keeps a record that does not decode, with the reason, its value and what its JSON says', () => {
    const notJson = readTailRecord(raw('{oops'));
    expect(notJson.error?.code).toBe('INVALID_JSON');
    expect(notJson.value).toEqual({ text: '{oops', encoding: 'utf8' });

    const invalid = readTailRecord(
      raw(JSON.stringify({ operationInfo: { tenantId: 'tenantB', vmId: 'vm-3' } })),
    );
    expect(invalid.error?.code).toBe('SCHEMA_VALIDATION');
    expect(invalid.error?.issues?.length).toBeGreaterThan(0);
    expect(invalid.fields).toMatchObject({ tenant: 'tenantB', vmId: 'vm-3', environment: undefined });

    const binary = readTailRecord(raw(Buffer.from([0xff, 0xfe, 0x00])));
    expect(binary.value).toEqual({ text: '//4A', encoding: 'base64' });

    const tombstone = readTailRecord(raw(null, { env: 'DEV', tenant: 'tenantC', ce_subject: 'vm-4' }));
    expect(tombstone.value).toBeNull();
    expect(tombstone.fields).toMatchObject({ environment: 'DEV', tenant: 'tenantC', vmId: 'vm-4' });
  });
});

describe('tail: filters', () => {
  const event = readTailRecord(eventRecord({ vmName: 'web-01' }));

  it('matches any listed value of one filter and every filter given', () => {
    expect(matchesTailFilter(event, NONE)).toBe(true);
    expect(matchesTailFilter(event, { ...NONE, tenants: ['tenantB', 'tenantA'] })).toBe(true);
    expect(matchesTailFilter(event, { ...NONE, tenants: ['tenantA'], environments: ['DEV'] })).toBe(false);
    expect(matchesTailFilter(event, { ...NONE, operations: ['power_off'] })).toBe(false);
    expect(matchesTailFilter(event, { ...NONE, vms: ['web-01'] })).toBe(true);
    expect(matchesTailFilter(event, { ...NONE, vms: ['vm-1'] })).toBe(true);
    expect(matchesTailFilter(event, { ...NONE, vms: ['vm-2'] })).toBe(false);
  });

  it('keeps a record that does not say, and drops one whose headers put it outside', () => {
    const silent = readTailRecord(raw('garbage'));
    expect(
      matchesTailFilter(silent, {
        environments: ['DEV'],
        tenants: ['t'],
        operations: ['power_on'],
        vms: ['x'],
      }),
    ).toBe(true);
    const elsewhere = readTailRecord(raw('garbage', { tenant: 'tenantB' }));
    expect(matchesTailFilter(elsewhere, { ...NONE, tenants: ['tenantA'] })).toBe(false);
  });
});

describe('tail: output', () => {
  it('prints one line per event with its position and the fields a person looks for', () => {
    const line = formatTailRecord(readTailRecord(eventRecord({ vmName: 'web 01' })));
    expect(line).toMatch(
      /^vmware\.events\/1@7 {2}2026-01-02T03:04:05Z {2}power_on {2}env=PROD {2}tenant=tenantA {2}vm=vm-1 {2}name="web 01" {2}user=alice {2}id=[0-9a-f-]{36}\n$/,
    );
  });

  it('prints NOT DECODED, the reason, at most five issues and the clipped value', () => {
    const text = formatTailRecord(
      readTailRecord(raw(JSON.stringify({ operationInfo: {}, pad: 'x'.repeat(400) }))),
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^vmware\.events\/0@3 {2}1970-01-01T00:00:00\.000Z {2}NOT DECODED {2}SCHEMA_VALIDATION: /,
    );
    expect(lines.filter((l) => /^ {4}\//.test(l)).length).toBeLessThanOrEqual(5);
    expect(text).toMatch(/ {4}… \d+ more\n/);
    expect(lines.at(-1)).toMatch(/^ {4}key=vm-9 {2}value=\{"operationInfo".*… \(\d+ chars\)$/);
    expect(formatTailRecord(readTailRecord(raw(null)))).toContain('value=<none: a tombstone>');
  });

  it('writes one JSON object per record: the event, or the error with the raw value', () => {
    const ok = JSON.parse(tailRecordToJson(readTailRecord(eventRecord()))) as Record<string, unknown>;
    expect(Object.keys(ok)).toEqual(['topic', 'partition', 'offset', 'timestamp', 'key', 'headers', 'event']);
    const bad = JSON.parse(tailRecordToJson(readTailRecord(raw('nope')))) as Record<string, unknown>;
    expect(bad).toMatchObject({
      key: 'vm-9',
      error: { code: 'INVALID_JSON' },
      value: { text: 'nope', encoding: 'utf8' },
    });
    expect(bad).not.toHaveProperty('fields');
  });
});
