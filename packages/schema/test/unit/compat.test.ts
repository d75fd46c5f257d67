import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  COMPATIBILITY_MODES,
  COMPATIBILITY_RULES,
  assertCompatible,
  checkCompatibility,
  checkSchemaHistory,
  hasErrorCode,
  isIncompatibleSchemaError,
  isInvalidSchemaFileError,
} from '@org/vmware-events-schema';
import type {
  CompatibilityIssue,
  CompatibilityMode,
  CompatibilityRule,
  JsonSchema,
} from '@org/vmware-events-schema';

const fixtures = fileURLToPath(new URL('./fixtures/compat/', import.meta.url));
const load = <T>(dir: string): Array<[string, T]> =>
  readdirSync(join(fixtures, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(fixtures, dir, f), 'utf8')) as T]);

interface PairFixture {
  rule: string;
  description: string;
  old: JsonSchema;
  new: JsonSchema;
  expect: { backward: CompatibilityRule[]; forward: CompatibilityRule[] };
  paths?: { backward?: string[]; forward?: string[] };
}

interface HistoryFixture {
  description: string;
  versions: JsonSchema[];
  expect: Partial<
    Record<
      CompatibilityMode,
      {
        compatible: boolean;
        pairs: Array<[number, number]>;
        failing?: Array<[number, number]>;
        codes?: CompatibilityRule[];
      }
    >
  >;
}

const codes = (issues: CompatibilityIssue[]) => [...new Set(issues.map((i) => i.code))].sort();

describe('checkCompatibility: one fixture pair per rule', () => {
  const pairs = load<PairFixture>('pairs');

  it('has a fixture table covering every rule code except the catch-all for huge schemas', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(50);
    const covered = new Set(pairs.flatMap(([, f]) => [...f.expect.backward, ...f.expect.forward]));
    const missing = COMPATIBILITY_RULES.filter((rule) => !covered.has(rule) && rule !== 'SCHEMA_FALSE');
    expect(missing).toEqual([]);
  });

  describe.each(pairs)('%s', (_name, fixture) => {
    const backwardOk = fixture.expect.backward.length === 0;
    const forwardOk = fixture.expect.forward.length === 0;

    it(`BACKWARD is ${backwardOk ? 'compatible' : fixture.expect.backward.join(', ')}`, () => {
      const result = checkCompatibility(fixture.old, fixture.new, 'BACKWARD');
      expect(codes(result.issues)).toEqual([...fixture.expect.backward].sort());
      expect(result.compatible).toBe(backwardOk);
      for (const issue of result.issues) {
        expect(issue.direction).toBe('backward');
        expect(issue.path.startsWith('#')).toBe(true);
        expect(issue.message.length).toBeGreaterThan(20);
      }
      const paths = result.issues.map((i) => i.path);
      for (const path of fixture.paths?.backward ?? []) expect(paths).toContain(path);
    });

    it(`FORWARD is ${forwardOk ? 'compatible' : fixture.expect.forward.join(', ')}`, () => {
      const result = checkCompatibility(fixture.old, fixture.new, 'FORWARD');
      expect(codes(result.issues)).toEqual([...fixture.expect.forward].sort());
      expect(result.compatible).toBe(forwardOk);
      for (const issue of result.issues) expect(issue.direction).toBe('forward');
      const paths = result.issues.map((i) => i.path);
      for (const path of fixture.paths?.forward ?? []) expect(paths).toContain(path);
    });

    it(`FULL is ${backwardOk && forwardOk ? 'compatible' : 'incompatible'} and reports both directions`, () => {
      const result = checkCompatibility(fixture.old, fixture.new, 'FULL');
      expect(result.compatible).toBe(backwardOk && forwardOk);
      expect(codes(result.issues.filter((i) => i.direction === 'backward'))).toEqual(
        [...fixture.expect.backward].sort(),
      );
      expect(codes(result.issues.filter((i) => i.direction === 'forward'))).toEqual(
        [...fixture.expect.forward].sort(),
      );
    });

    it('FORWARD equals BACKWARD with the schemas swapped', () => {
      const forward = checkCompatibility(fixture.old, fixture.new, 'FORWARD').issues;
      const swapped = checkCompatibility(fixture.new, fixture.old, 'BACKWARD').issues;
      expect(forward.map((i) => [i.code, i.path, i.instancePath])).toEqual(
        swapped.map((i) => [i.code, i.path, i.instancePath]),
      );
    });
  });
});

describe('checkSchemaHistory: transitive modes', () => {
  const histories = load<HistoryFixture>('history');
  for (const [name, fixture] of histories) {
    describe(name, () => {
      for (const [mode, expected] of Object.entries(fixture.expect) as Array<
        [CompatibilityMode, NonNullable<HistoryFixture['expect'][CompatibilityMode]>]
      >) {
        it(`${mode}: ${expected.compatible ? 'compatible' : `fails ${JSON.stringify(expected.failing)}`}`, () => {
          const result = checkSchemaHistory(fixture.versions, mode);
          expect(result.compatible).toBe(expected.compatible);
          expect(result.pairs.map((p) => [p.previousIndex, p.nextIndex])).toEqual(expected.pairs);
          const failing = result.pairs
            .filter((p) => !p.compatible)
            .map((p) => [p.previousIndex, p.nextIndex]);
          expect(failing).toEqual(expected.failing ?? []);
          if (expected.codes) expect(codes(result.issues)).toEqual([...expected.codes].sort());
          for (const issue of result.issues) {
            expect(failing).toContainEqual([issue.previousIndex, issue.nextIndex]);
          }
        });
      }
    });
  }

  it('non-transitive modes compare each version with the previous one only', () => {
    const versions: JsonSchema[] = [
      { type: 'string' },
      { type: 'string' },
      { type: 'string' },
      { type: 'string' },
    ];
    expect(checkSchemaHistory(versions, 'FULL').pairs.map((p) => [p.previousIndex, p.nextIndex])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(checkSchemaHistory(versions, 'FULL_TRANSITIVE').pairs).toHaveLength(6);
    expect(checkSchemaHistory([{ type: 'string' }], 'BACKWARD_TRANSITIVE')).toEqual({
      compatible: true,
      issues: [],
      pairs: [],
    });
  });
});

describe('the real schemas', () => {
  const repo = fileURLToPath(new URL('../../../../', import.meta.url));
  type Definition = Record<string, unknown> & { properties?: Record<string, unknown> };
  const vm = JSON.parse(readFileSync(join(repo, 'schemas/vm-operation-event/1.0.json'), 'utf8')) as {
    definitions: Record<string, Definition>;
  };

  it('every released schema is FULL compatible with itself', () => {
    const names = readdirSync(join(repo, 'schemas'), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(names.length).toBeGreaterThan(0);
    for (const { name } of names) {
      for (const file of readdirSync(join(repo, 'schemas', name)).filter((f) => /^\d+\.\d+\.json$/.test(f))) {
        const schema = JSON.parse(readFileSync(join(repo, 'schemas', name, file), 'utf8')) as JsonSchema;
        expect(checkCompatibility(schema, structuredClone(schema), 'FULL'), `${name}/${file}`).toEqual({
          compatible: true,
          issues: [],
        });
      }
    }
  });

  it('vm-operation-event: an optional property in a closed definition is backward compatible, forward not', () => {
    const next = structuredClone(vm);
    const info = Object.keys(next.definitions).find((k) => /OperationInfo$/.test(k))!;
    next.definitions[info]!.properties!.ticketId = { type: 'string', maxLength: 64 };
    expect(checkCompatibility(vm, next, 'BACKWARD')).toEqual({ compatible: true, issues: [] });
    const forward = checkCompatibility(vm, next, 'FORWARD');
    expect(forward.compatible).toBe(false);
    expect(forward.issues.map((i) => i.code)).toContain('PROPERTY_REMOVED_FROM_CLOSED');
    expect(forward.issues.every((i) => i.instancePath.endsWith('/ticketId'))).toBe(true);
  });

  it('vm-operation-event: narrowing a shared definition is found through the oneOf and the $refs', () => {
    const next = structuredClone(vm);
    const defs = next.definitions as Record<string, Record<string, unknown>>;
    const [name, def] = Object.entries(defs).find(
      ([, d]) => d.type === 'string' && typeof d.maxLength === 'number',
    )!;
    def.maxLength = (def.maxLength as number) - 1;
    const result = checkCompatibility(vm, next, 'BACKWARD');
    expect(result.compatible).toBe(false);
    expect(result.issues.map((i) => [i.code, i.path])).toContainEqual([
      'MAX_LENGTH_DECREASED',
      `#/definitions/${name}/maxLength`,
    ]);
  });

  it('vm-operation-event: removing an operation from the enum breaks backward at the enum', () => {
    const next = structuredClone(vm);
    const defs = next.definitions as Record<string, Record<string, unknown>>;
    const name = 'StateOperation';
    const def = defs[name]!;
    expect(def.enum).toContain('power_on');
    def.enum = (def.enum as string[]).filter((op) => op !== 'power_on');
    const result = checkCompatibility(vm, next, 'BACKWARD');
    expect(result.compatible).toBe(false);
    expect(result.issues.map((i) => [i.code, i.path])).toContainEqual([
      'ENUM_NARROWED',
      `#/definitions/${name}/enum`,
    ]);
    expect(result.issues.find((i) => i.code === 'ENUM_NARROWED')!.message).toContain('"power_on"');
  });
});

describe('bad input', () => {
  it('rejects a value that is not a JSON Schema with INVALID_SCHEMA_FILE naming the argument', () => {
    let caught: unknown;
    try {
      checkCompatibility({ type: 'strng' }, { type: 'string' }, 'BACKWARD');
    } catch (error) {
      caught = error;
    }
    expect(isInvalidSchemaFileError(caught)).toBe(true);
    expect((caught as Error).message).toContain('previous');
    expect(() => checkCompatibility({ type: 'string' }, 42 as unknown as JsonSchema, 'BACKWARD')).toThrow(
      /next is not a usable JSON Schema/,
    );
  });

  it('rejects an unknown mode with INVALID_OPTIONS', () => {
    let caught: unknown;
    try {
      checkCompatibility(true, true, 'SIDEWAYS' as CompatibilityMode);
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'INVALID_OPTIONS')).toBe(true);
  });

  it('assertCompatible throws IncompatibleSchemaError with the issues', () => {
    let caught: unknown;
    try {
      assertCompatible({ enum: ['a', 'b'] }, { enum: ['a'] }, 'BACKWARD');
    } catch (error) {
      caught = error;
    }
    expect(isIncompatibleSchemaError(caught)).toBe(true);
    expect(hasErrorCode(caught, 'INCOMPATIBLE_SCHEMA')).toBe(true);
    expect((caught as { issues: CompatibilityIssue[] }).issues[0]?.code).toBe('ENUM_NARROWED');
    expect(() => assertCompatible({ enum: ['a'] }, { enum: ['a', 'b'] }, 'BACKWARD')).not.toThrow();
  });

  it('NONE never reports anything and every mode is accepted', () => {
    expect(checkCompatibility({ type: 'string' }, { type: 'integer' }, 'NONE')).toEqual({
      compatible: true,
      issues: [],
    });
    for (const mode of COMPATIBILITY_MODES)
      expect(checkCompatibility(true, true, mode).compatible).toBe(true);
  });

  it('does not hang on deeply combined schemas: it reports UNSUPPORTED_CHANGE instead', () => {
    const variants = (n: number) => ({ anyOf: Array.from({ length: n }, (_, i) => ({ const: i })) });
    const big: JsonSchema = { allOf: [variants(10), variants(10), variants(10)] };
    const result = checkCompatibility(big, { allOf: [variants(9), variants(10), variants(10)] }, 'BACKWARD');
    expect(result.compatible).toBe(false);
    expect(result.issues.map((i) => i.code)).toContain('UNSUPPORTED_CHANGE');
  });
});

describe('lenientReaders option', () => {
  const closed = (props: Record<string, unknown>, required: string[] = []): JsonSchema => ({
    type: 'object',
    additionalProperties: false,
    properties: props,
    required,
  });

  it('a reader that ignores unknown properties accepts a property added to a closed schema (forward)', () => {
    const v1 = closed({ a: { type: 'string' } });
    const v2 = closed({ a: { type: 'string' }, b: { type: 'integer' } });
    expect(checkCompatibility(v1, v2, 'FORWARD').compatible).toBe(false);
    expect(checkCompatibility(v1, v2, 'FORWARD', { lenientReaders: true })).toEqual({
      compatible: true,
      issues: [],
    });
  });

  it('still reports every rule that is not about unknown properties', () => {
    const v1 = closed({ a: { type: 'string', enum: ['x', 'y'] } }, ['a']);
    const v2 = closed({ a: { type: 'string', enum: ['x'] }, b: { type: 'integer' } }, ['a', 'b']);
    const result = checkCompatibility(v1, v2, 'BACKWARD', { lenientReaders: true });
    expect(codes(result.issues)).toEqual(['ENUM_NARROWED', 'REQUIRED_ADDED_WITHOUT_DEFAULT']);
  });

  it('keeps writers strict: an open writer still breaks a reader that constrains a new property', () => {
    const v1: JsonSchema = { type: 'object', properties: { a: { type: 'string' } } };
    const v2 = closed({ a: { type: 'string' }, b: { type: 'integer' } });
    expect(codes(checkCompatibility(v1, v2, 'BACKWARD', { lenientReaders: true }).issues)).toEqual([
      'PROPERTY_ADDED_TO_OPEN',
    ]);
  });

  it('only removes additionalProperties at schema positions, never inside data or property names', () => {
    const v1: JsonSchema = {
      type: 'object',
      additionalProperties: false,
      properties: { additionalProperties: false, c: { const: { additionalProperties: false } } },
    };
    const v2: JsonSchema = {
      type: 'object',
      additionalProperties: false,
      properties: { additionalProperties: { type: 'string' }, c: { const: { additionalProperties: false } } },
    };
    // v2 now allows a property literally named "additionalProperties": a lenient v1 reader still forbids it.
    const result = checkCompatibility(v1, v2, 'FORWARD', { lenientReaders: true });
    expect(codes(result.issues)).toEqual(['PROPERTY_REMOVED_FROM_CLOSED']);
    expect(result.issues[0]?.instancePath).toBe('/additionalProperties');
  });
});
