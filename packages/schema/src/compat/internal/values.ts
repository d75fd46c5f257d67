import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isObject, jsonEqual } from './nodes.js';
import type { SchemaObject } from './nodes.js';

/** The JSON type of a value, `integer` for whole numbers. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** A keyword of a schema's own (non-combinator) scalar keywords that `value` fails, or undefined. */
export type ScalarKeyword =
  | 'type'
  | 'enum'
  | 'const'
  | 'minLength'
  | 'maxLength'
  | 'pattern'
  | 'format'
  | 'minimum'
  | 'maximum'
  | 'exclusiveMinimum'
  | 'exclusiveMaximum'
  | 'multipleOf';

/** Result of checking one value: the failed keyword, `undefined` when it passes, `'unknown'` when undecidable. */
export function failedKeyword(value: unknown, schema: SchemaObject): ScalarKeyword | 'unknown' | undefined {
  const type = schema.type;
  if (type !== undefined) {
    const types = Array.isArray(type) ? (type as unknown[]) : [type];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return 'type';
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((v) => jsonEqual(v, value))) return 'enum';
  if ('const' in schema && !jsonEqual(schema.const, value)) return 'const';
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) return 'minLength';
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) return 'maxLength';
    if (typeof schema.pattern === 'string') {
      let re: RegExp;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        return 'unknown';
      }
      if (!re.test(value)) return 'pattern';
    }
    if (typeof schema.format === 'string') {
      const ok = checkFormat(schema.format, value);
      if (ok === undefined) return 'unknown';
      if (!ok) return 'format';
    }
  }
  if (typeof value === 'number') {
    const exMinBool = schema.exclusiveMinimum === true;
    const exMaxBool = schema.exclusiveMaximum === true;
    if (typeof schema.minimum === 'number' && (exMinBool ? value <= schema.minimum : value < schema.minimum))
      return 'minimum';
    if (typeof schema.maximum === 'number' && (exMaxBool ? value >= schema.maximum : value > schema.maximum))
      return 'maximum';
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
      return 'exclusiveMinimum';
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum)
      return 'exclusiveMaximum';
    if (typeof schema.multipleOf === 'number' && !isMultiple(value, schema.multipleOf)) return 'multipleOf';
  }
  return undefined;
}

/** Whether `value` is a multiple of `divisor`, tolerant of binary floating point (0.3 is a multiple of 0.1). */
export function isMultiple(value: number, divisor: number): boolean {
  if (divisor <= 0) return false;
  const q = value / divisor;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/** Checks a string against a known format; undefined for formats this checker does not know. */
export function checkFormat(format: string, value: string): boolean | undefined {
  const def = (fullFormats as Record<string, unknown>)[format];
  if (def === undefined) return undefined;
  if (def instanceof RegExp) return def.test(value);
  if (typeof def === 'function') return Boolean((def as (s: string) => unknown)(value));
  if (isObject(def)) {
    if (def.type !== undefined && def.type !== 'string') return true;
    const validate = def.validate;
    if (validate instanceof RegExp) return validate.test(value);
    if (typeof validate === 'function') return Boolean((validate as (s: string) => unknown)(value));
  }
  return undefined;
}
