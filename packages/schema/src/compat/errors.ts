import { VmwEventsError, hasErrorCode } from '../errors.js';
import type { VmwEventsErrorOptions } from '../errors.js';
import type { CompatibilityIssue } from './types.js';

/** A schema given to the compatibility checker is not valid JSON or not a JSON Schema. */
export class InvalidSchemaFileError extends VmwEventsError {
  /** The file path, or the argument (`previous`, `next`, `versions[2]`) when not read from a file. */
  readonly source: string;
  /** What is wrong, one entry per problem. */
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[], options: VmwEventsErrorOptions = {}) {
    super(
      'INVALID_SCHEMA_FILE',
      `${source} is not a usable JSON Schema: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`,
      options,
    );
    this.name = 'InvalidSchemaFileError';
    this.source = source;
    this.problems = problems;
  }
}

/** True for an {@link InvalidSchemaFileError} from any copy of the SDK. */
export function isInvalidSchemaFileError(error: unknown): error is InvalidSchemaFileError {
  return hasErrorCode(error, 'INVALID_SCHEMA_FILE');
}

/** A schema change breaks the required compatibility (thrown by {@link assertCompatible}). */
export class IncompatibleSchemaError extends VmwEventsError {
  /** Every incompatible change found. */
  readonly issues: readonly CompatibilityIssue[];

  constructor(issues: readonly CompatibilityIssue[], options: VmwEventsErrorOptions = {}) {
    const lines = issues
      .slice(0, 20)
      .map((i) => `  - [${i.direction}] ${i.code} at ${i.path} (${i.schema}): ${i.message}`);
    const more = issues.length > 20 ? `\n  … and ${issues.length - 20} more` : '';
    super(
      'INCOMPATIBLE_SCHEMA',
      `Incompatible schema change: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}${more}`,
      options,
    );
    this.name = 'IncompatibleSchemaError';
    this.issues = issues;
  }
}

/** True for an {@link IncompatibleSchemaError} from any copy of the SDK. */
export function isIncompatibleSchemaError(error: unknown): error is IncompatibleSchemaError {
  return hasErrorCode(error, 'INCOMPATIBLE_SCHEMA');
}
