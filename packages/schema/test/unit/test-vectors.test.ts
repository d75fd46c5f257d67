/**
 * Runs every test vector of schemas/test-vectors/index.json twice: through the SDK's validators (verdict and
 * exact issue paths) and through an independent ajv compiled at test time from the raw JSON Schema files
 * (verdict, and every expected path is explained by one of its errors), so the vectors hold for any validator.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvModule, { type ErrorObject } from 'ajv';
import ajvFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  isEventDecodeError,
  parseDomainEvent,
  parseVmOperationEvent,
  SUPPORTED_SCHEMA_VERSIONS,
  validateDomainEvent,
  validateEventHeaders,
  validateVmOperationEvent,
  type ValidationIssue,
} from '@org/vmware-events-schema';
import { toLenient } from '../../scripts/lib/schemas.js';

const Ajv = ajvModule.default;
const addFormats = ajvFormatsModule.default;

const SCHEMAS = fileURLToPath(new URL('../../../../schemas/', import.meta.url));
const VECTORS = join(SCHEMAS, 'test-vectors');

interface Vector {
  file: string;
  schema: 'vm-operation-event' | 'domain-event' | 'event-headers';
  version: string;
  valid: boolean;
  expectedIssuePaths: string[];
  description: string;
  source?: string;
  mode?: 'strict' | 'lenient';
  json?: false;
  sdkRule?: string;
}

const index = JSON.parse(readFileSync(join(VECTORS, 'index.json'), 'utf8')) as { vectors: Vector[] };
const vectors = index.vectors;

function sdkValidate(vector: Vector, value: unknown): { valid: boolean; issues: ValidationIssue[] } {
  const result =
    vector.schema === 'vm-operation-event'
      ? validateVmOperationEvent(value)
      : vector.schema === 'domain-event'
        ? validateDomainEvent(value)
        : validateEventHeaders(value);
  return result.valid ? { valid: true, issues: [] } : { valid: false, issues: result.issues };
}

const rawValidators = new Map<string, ReturnType<InstanceType<typeof Ajv>['compile']>>();
function rawValidator(vector: Vector) {
  const key = `${vector.schema}@${vector.version}:${vector.mode ?? 'strict'}`;
  let validate = rawValidators.get(key);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv, { mode: 'full' });
    let schema = JSON.parse(
      readFileSync(join(SCHEMAS, vector.schema, `${vector.version}.json`), 'utf8'),
    ) as object;
    if (vector.mode === 'lenient') schema = toLenient(schema) as object;
    validate = ajv.compile(schema);
    rawValidators.set(key, validate);
  }
  return validate;
}

/** The paths an ajv error points at, in the vectors' convention (missing/unknown property → its own path). */
function pointedPath(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const property = error.keyword === 'required' ? params.missingProperty : params.additionalProperty;
  if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${String(property).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  }
  return error.instancePath;
}

describe('schemas/test-vectors', () => {
  it('index.json lists every vector file, and every listed file exists', () => {
    const onDisk = ['vm-operation-event', 'domain-event', 'event-headers'].flatMap((dir) =>
      readdirSync(join(VECTORS, dir)).map((f) => `${dir}/${f}`),
    );
    expect(vectors.map((v) => v.file).sort()).toEqual(onDisk.sort());
    for (const v of vectors) {
      expect(v.valid || v.expectedIssuePaths.length > 0 || v.json === false, v.file).toBe(true);
      if (v.valid) expect(v.expectedIssuePaths, v.file).toEqual([]);
    }
  });

  it('covers every example event of seed 000 and both verdicts for every schema', () => {
    expect(vectors.filter((v) => v.source?.startsWith('seed 000')).length).toBeGreaterThanOrEqual(16);
    for (const schema of ['vm-operation-event', 'domain-event', 'event-headers']) {
      expect(vectors.some((v) => v.schema === schema && v.valid)).toBe(true);
      expect(vectors.some((v) => v.schema === schema && !v.valid)).toBe(true);
    }
    expect(vectors.some((v) => v.schema === 'domain-event' && v.file.includes('delete-all') && v.valid)).toBe(
      true,
    );
  });

  describe.each(vectors.map((v) => [v.file, v] as const))('%s', (_file, vector) => {
    const text = readFileSync(join(VECTORS, vector.file), 'utf8');

    if (vector.json === false) {
      it('is rejected as undecodable (INVALID_JSON)', () => {
        const parse = vector.schema === 'domain-event' ? parseDomainEvent : parseVmOperationEvent;
        let caught: unknown;
        try {
          parse(text);
        } catch (error) {
          caught = error;
        }
        expect(isEventDecodeError(caught)).toBe(true);
      });
      return;
    }
    const value: unknown = JSON.parse(text);

    // A vector for a reader older than this SDK (a 1.0 consumer reading a 1.1 event): this SDK knows the declared
    // version and validates the event with it, so only the raw-schema check below speaks for that reader.
    const declared = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
    const olderReader =
      vector.mode === 'lenient' &&
      typeof declared === 'string' &&
      SUPPORTED_SCHEMA_VERSIONS.includes(declared) &&
      declared !== vector.version;
    it.skipIf(olderReader)(
      `SDK: ${vector.valid ? 'valid' : `invalid at ${vector.expectedIssuePaths.join(', ')}`}`,
      () => {
        const result = sdkValidate(vector, value);
        expect(result.valid).toBe(vector.valid);
        expect([...new Set(result.issues.map((i) => i.path))].sort()).toEqual(
          [...vector.expectedIssuePaths].sort(),
        );
        for (const issue of result.issues) expect(issue.message.length).toBeGreaterThan(0);
      },
    );

    it('independent ajv on the raw schema file agrees', () => {
      const validate = rawValidator(vector);
      const valid = validate(value);
      // An SDK-only rule (e.g. header consistency) is beyond JSON Schema: the raw schema accepts the value.
      expect(valid).toBe(vector.sdkRule ? true : vector.valid);
      if (!valid) {
        const pointed = new Set((validate.errors ?? []).map(pointedPath));
        for (const path of vector.expectedIssuePaths) expect(pointed, path).toContain(path);
      }
    });
  });
});
