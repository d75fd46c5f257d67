import { InvalidSchemaFileError, IncompatibleSchemaError } from './errors.js';
import { runDirectional } from './internal/engine.js';
import { openContentModel } from './internal/lenient.js';
import { createDoc } from './internal/nodes.js';
import { schemaProblems } from './internal/meta.js';
import { COMPATIBILITY_MODES } from './types.js';
import type {
  CheckedPair,
  CompatibilityIssue,
  CompatibilityOptions,
  CompatibilityMode,
  CompatibilityResult,
  HistoryCompatibilityIssue,
  HistoryCompatibilityResult,
  JsonSchema,
} from './types.js';
import { VmwEventsError } from '../errors.js';

/** True for a string that is one of {@link COMPATIBILITY_MODES}. */
export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value);
}

function assertMode(mode: unknown): asserts mode is CompatibilityMode {
  if (!isCompatibilityMode(mode)) {
    throw new VmwEventsError(
      'INVALID_OPTIONS',
      `Unknown compatibility mode ${JSON.stringify(mode)}: expected one of ${COMPATIBILITY_MODES.join(', ')}`,
    );
  }
}

function assertSchema(schema: unknown, source: string): asserts schema is JsonSchema {
  const problems = schemaProblems(schema);
  if (problems.length > 0) throw new InvalidSchemaFileError(source, problems);
}

const reader = (schema: JsonSchema, options: CompatibilityOptions): JsonSchema =>
  options.lenientReaders === true ? openContentModel(schema) : schema;

/** Backward check: can a reader using `next` read everything written with `previous`? */
function backward(
  previous: JsonSchema,
  next: JsonSchema,
  options: CompatibilityOptions,
): CompatibilityIssue[] {
  return runDirectional('backward', createDoc('old', previous), createDoc('new', reader(next, options)));
}

/** Forward check: the backward check with the roles swapped (the new schema writes, the old one reads). */
function forward(
  previous: JsonSchema,
  next: JsonSchema,
  options: CompatibilityOptions,
): CompatibilityIssue[] {
  return runDirectional('forward', createDoc('new', next), createDoc('old', reader(previous, options)));
}

function pairIssues(
  previous: JsonSchema,
  next: JsonSchema,
  mode: CompatibilityMode,
  options: CompatibilityOptions,
): CompatibilityIssue[] {
  switch (mode) {
    case 'NONE':
      return [];
    case 'BACKWARD':
    case 'BACKWARD_TRANSITIVE':
      return backward(previous, next, options);
    case 'FORWARD':
    case 'FORWARD_TRANSITIVE':
      return forward(previous, next, options);
    case 'FULL':
    case 'FULL_TRANSITIVE':
      return [...backward(previous, next, options), ...forward(previous, next, options)];
  }
}

/**
 * Checks whether `next` may follow `previous` under `mode` (for a single pair the `_TRANSITIVE` modes equal
 * their plain forms). Throws {@link InvalidSchemaFileError} when either is not a JSON Schema.
 * @example checkCompatibility(v1, v2, 'BACKWARD') // { compatible: false, issues: [{ code: 'ENUM_NARROWED', ... }] }
 */
export function checkCompatibility(
  previous: JsonSchema,
  next: JsonSchema,
  mode: CompatibilityMode,
  options: CompatibilityOptions = {},
): CompatibilityResult {
  assertMode(mode);
  assertSchema(previous, 'previous');
  assertSchema(next, 'next');
  const issues = pairIssues(previous, next, mode, options);
  return { compatible: issues.length === 0, issues };
}

/**
 * Checks a history of versions, oldest first. Plain modes compare each version with the one before it;
 * `_TRANSITIVE` modes compare each version with every earlier one. `pairs` lists every pair checked.
 */
export function checkSchemaHistory(
  versions: readonly JsonSchema[],
  mode: CompatibilityMode,
  options: CompatibilityOptions = {},
): HistoryCompatibilityResult {
  assertMode(mode);
  versions.forEach((schema, i) => assertSchema(schema, `versions[${i}]`));
  const issues: HistoryCompatibilityIssue[] = [];
  const pairs: CheckedPair[] = [];
  if (mode === 'NONE') return { compatible: true, issues, pairs };
  const transitive = mode.endsWith('_TRANSITIVE');
  for (let next = 1; next < versions.length; next++) {
    const from = transitive ? 0 : next - 1;
    for (let previous = from; previous < next; previous++) {
      const found = pairIssues(versions[previous] as JsonSchema, versions[next] as JsonSchema, mode, options);
      pairs.push({ previousIndex: previous, nextIndex: next, compatible: found.length === 0 });
      for (const issue of found) issues.push({ ...issue, previousIndex: previous, nextIndex: next });
    }
  }
  return { compatible: issues.length === 0, issues, pairs };
}

/** Like {@link checkCompatibility}, but throws {@link IncompatibleSchemaError} listing the issues. */
export function assertCompatible(
  previous: JsonSchema,
  next: JsonSchema,
  mode: CompatibilityMode,
  options: CompatibilityOptions = {},
): void {
  const result = checkCompatibility(previous, next, mode, options);
  if (!result.compatible) throw new IncompatibleSchemaError(result.issues);
}
