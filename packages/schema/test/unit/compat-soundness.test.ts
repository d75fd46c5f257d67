/**
 * Differential soundness check: whenever the checker calls a pair BACKWARD compatible, no value that the old
 * schema accepts may be rejected by the new one (and likewise FORWARD with the roles swapped). Values are
 * generated from the property names and constants the two schemas mention, and judged by Ajv.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '@org/vmware-events-schema';
import type { JsonSchema } from '@org/vmware-events-schema';

const dir = fileURLToPath(new URL('./fixtures/compat/pairs/', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map(
    (f) =>
      [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))] as [string, { old: JsonSchema; new: JsonSchema }],
  );

function compile(schema: JsonSchema) {
  const draft = typeof schema === 'object' && typeof schema.$schema === 'string' ? schema.$schema : '';
  if (draft.includes('draft-04')) return null; // Ajv 8 does not ship draft-04: not judged here
  // useDefaults: a reader fills in defaults, which is what makes "required with a default" readable.
  const ajv = draft.includes('2020-12')
    ? new Ajv2020({ strict: false, useDefaults: true })
    : new Ajv({ strict: false, useDefaults: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  try {
    const validate = ajv.compile(schema);
    return (value: unknown) => validate(structuredClone(value));
  } catch {
    return undefined; // e.g. an external $ref: the checker reports those as UNRESOLVED_REF
  }
}

/** Every property name and constant mentioned anywhere in the schemas. */
function harvest(value: unknown, names: Set<string>, constants: unknown[]): void {
  if (Array.isArray(value)) return value.forEach((v) => harvest(v, names, constants));
  if (typeof value !== 'object' || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    if ((key === 'properties' || key === 'patternProperties') && typeof v === 'object' && v !== null) {
      for (const name of Object.keys(v)) names.add(key === 'properties' ? name : 'x-custom');
    }
    if (key === 'required' && Array.isArray(v)) v.forEach((n) => names.add(String(n)));
    if (key === 'enum' && Array.isArray(v)) constants.push(...(v as unknown[]));
    if (key === 'const' || key === 'default') constants.push(v);
    harvest(v, names, constants);
  }
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function samples(a: JsonSchema, b: JsonSchema, count: number): unknown[] {
  const names = new Set<string>(['other']);
  const constants: unknown[] = [];
  harvest([a, b], names, constants);
  const scalars: unknown[] = [
    null,
    true,
    false,
    0,
    1,
    2,
    3,
    4,
    8,
    -1,
    1.5,
    10,
    11,
    100,
    '',
    'a',
    'ab',
    'abcd',
    'abcdefghij',
    'x1',
    'create',
    'clone',
    'eu',
    '2024-01-01T00:00:00Z',
    'https://example.com/x',
    '/relative',
    ...constants,
  ];
  const list = [...names];
  const next = rng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 2 || r < 0.55) return pick(scalars);
    if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return object(depth + 1);
  };
  const object = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const name of list) if (next() < 0.6) o[name] = value(depth);
    return o;
  };
  const out: unknown[] = [...scalars, [], {}];
  for (let i = 0; i < count; i++) out.push(next() < 0.8 ? object(0) : value(0));
  return out;
}

describe('soundness: a compatible verdict is never contradicted by a real validator', () => {
  it.each(fixtures)('%s', (_name, fixture) => {
    const oldValidate = compile(fixture.old);
    const newValidate = compile(fixture.new);
    if (oldValidate === null || newValidate === null) return;
    if (!oldValidate || !newValidate) {
      expect(checkCompatibility(fixture.old, fixture.new, 'FULL').compatible).toBe(false);
      return;
    }
    const values = samples(fixture.old, fixture.new, 1500);
    const backward = checkCompatibility(fixture.old, fixture.new, 'BACKWARD').compatible;
    const forward = checkCompatibility(fixture.old, fixture.new, 'FORWARD').compatible;
    let checked = 0;
    for (const v of values) {
      const oldOk = oldValidate(v);
      const newOk = newValidate(v);
      if (backward && oldOk) {
        checked++;
        expect(
          newOk,
          `BACKWARD said compatible, but the new schema rejects ${JSON.stringify(v)} which the old accepts`,
        ).toBe(true);
      }
      if (forward && newOk) {
        checked++;
        expect(
          oldOk,
          `FORWARD said compatible, but the old schema rejects ${JSON.stringify(v)} which the new accepts`,
        ).toBe(true);
      }
    }
    if (backward || forward) expect(checked).toBeGreaterThan(0);
  });
});

describe('soundness on the real vm-operation-event schema and its test vectors', () => {
  const repo = fileURLToPath(new URL('../../../../', import.meta.url));
  type Def = Record<string, unknown> & {
    properties: Record<string, unknown>;
    required: string[];
    enum: string[];
  };
  const v1 = JSON.parse(readFileSync(join(repo, 'schemas/vm-operation-event/1.0.json'), 'utf8')) as {
    definitions: Record<string, Def>;
  };
  const index = JSON.parse(readFileSync(join(repo, 'schemas/test-vectors/index.json'), 'utf8')) as {
    vectors: Array<{ file: string; schema: string; version: string; valid: boolean; mode?: string }>;
  };
  const events = index.vectors
    .filter((v) => v.schema === 'vm-operation-event' && v.valid && v.mode !== 'lenient')
    .map((v) => JSON.parse(readFileSync(join(repo, 'schemas/test-vectors', v.file), 'utf8')) as unknown);

  const changes: Array<[string, (defs: Record<string, Def>) => void]> = [
    ['optional property added', (d) => void (d.StateOperationInfo!.properties.ticketId = { type: 'string' })],
    ['enum value added', (d) => void (d.StateOperation!.enum = [...d.StateOperation!.enum, 'upgrade'])],
    [
      'enum value removed',
      (d) => void (d.StateOperation!.enum = d.StateOperation!.enum.filter((o) => o !== 'power_on')),
    ],
    [
      'property made required',
      (d) => void (d.StateOperationInfo!.required = [...d.StateOperationInfo!.required, 'vmName']),
    ],
  ];

  it('has valid test vectors to replay', () => {
    expect(events.length).toBeGreaterThan(3);
  });

  it.each(changes)('%s: BACKWARD verdict agrees with replaying the 1.0 vectors', (_label, change) => {
    const v2 = structuredClone(v1);
    change(v2.definitions);
    const oldValidate = compile(v1)!;
    const newValidate = compile(v2)!;
    const verdict = checkCompatibility(v1, v2, 'BACKWARD');
    const rejected = events.filter((e) => oldValidate(e) && !newValidate(e));
    if (verdict.compatible) expect(rejected).toEqual([]);
    // When the vectors themselves break, the checker must have said so.
    if (rejected.length > 0) expect(verdict.compatible).toBe(false);
  });
});
