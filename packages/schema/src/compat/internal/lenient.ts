import type { JsonSchema } from '../types.js';
import { isObject } from './nodes.js';

const MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'dependencies',
]);
const LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']);
const SINGLE = new Set([
  'not',
  'if',
  'then',
  'else',
  'additionalProperties',
  'additionalItems',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'items',
]);

/**
 * The schema a lenient reader validates with: every `additionalProperties: false` removed (only at schema
 * positions, never inside `enum`/`const`/`default` data), so unknown properties are ignored. Returns a copy.
 */
export function openContentModel(schema: JsonSchema): JsonSchema {
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'additionalProperties' && value === false) continue;
    if (MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [
          name,
          Array.isArray(sub) ? sub : openContentModel(sub as JsonSchema),
        ]),
      );
    } else if (LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub) => openContentModel(sub as JsonSchema));
    } else if (SINGLE.has(key) && (isObject(value) || typeof value === 'boolean')) {
      out[key] = openContentModel(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}
