/**
 * Errors shared by every package of the SDK.
 *
 * Recognise them with the `isXError()` guards, never with `instanceof`: an application can load
 * the ESM and the CJS build of a package side by side, and each has its own classes. The guards
 * check a brand stored under a `Symbol.for` key, which is the same in every copy.
 */

const BRAND = Symbol.for('@org/vmware-events/error');

/** Every error code raised by the SDK's packages. */
export const ERROR_CODES = [
  'SCHEMA_VALIDATION',
  'UNKNOWN_SCHEMA_VERSION',
  'INVALID_TOPIC_NAME',
  'INVALID_KEY',
  'INVALID_HEADER',
  'INVALID_EVENT_ID',
  'INVALID_OPTIONS',
  'INCOMPATIBLE_SCHEMA',
  'INVALID_SCHEMA_FILE',
  'INVALID_JSON',
] as const;

/** A code from {@link ERROR_CODES}, or a package-specific code (`PRODUCER_*`, `CONSUMER_*`, `BRIDGE_*`, `TOPICS_*`). */
export type ErrorCode =
  (typeof ERROR_CODES)[number] | `${'PRODUCER' | 'CONSUMER' | 'BRIDGE' | 'TOPICS'}_${string}`;

/** Options accepted by {@link VmwEventsError}. */
export interface VmwEventsErrorOptions {
  /** The error that caused this one, kept for diagnosis. */
  cause?: unknown;
  /** Whether repeating the same call may succeed (a broker or network condition). Defaults to false. */
  retriable?: boolean;
}

/** Base class of every error the SDK throws: a stable `code`, a `retriable` flag and the `cause`. */
export class VmwEventsError extends Error {
  /** Stable, documented error code: match on this, not on the message. */
  readonly code: ErrorCode;
  /** True when a retry of the same operation may succeed. */
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: VmwEventsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VmwEventsError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for any error thrown by the SDK (any copy of it, ESM or CJS); with `code`, only for an error with that code.
 *
 * @example if (isVmwEventsError(error, 'INVALID_JSON')) …
 */
export function isVmwEventsError<TCode extends ErrorCode = ErrorCode>(
  error: unknown,
  code?: TCode,
): error is VmwEventsError & { code: TCode } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (error as VmwEventsError).code === code)
  );
}

/** True for an SDK error with the given code. */
export function hasErrorCode<TCode extends ErrorCode>(
  error: unknown,
  code: TCode,
): error is VmwEventsError & { code: TCode } {
  return isVmwEventsError(error) && error.code === code;
}

/** One problem found by a validator: where (JSON Pointer into the value) and what was expected. */
export interface ValidationIssue {
  /** JSON Pointer to the offending value, `''` for the root (e.g. `/operationInfo/vmId`). */
  path: string;
  /** What was expected, for a person: `must have required property 'vmData'`. */
  message: string;
  /** The JSON Schema keyword that failed (`required`, `enum`, `type`, …). */
  keyword: string;
  /** Keyword parameters from the validator (the missing property, the allowed values, …). */
  params: Record<string, unknown>;
}

/** A value does not match its schema. `issues` lists every problem, not only the first. */
export class SchemaValidationError extends VmwEventsError {
  /** Every problem found. */
  readonly issues: readonly ValidationIssue[];
  /** The schema that rejected the value, e.g. `vm-operation-event@1.0`. */
  readonly schema: string;

  constructor(schema: string, issues: readonly ValidationIssue[], options: VmwEventsErrorOptions = {}) {
    super('SCHEMA_VALIDATION', formatIssues(schema, issues), options);
    this.name = 'SchemaValidationError';
    this.schema = schema;
    this.issues = issues;
  }
}

/** True for a {@link SchemaValidationError} from any copy of the SDK. */
export function isSchemaValidationError(error: unknown): error is SchemaValidationError {
  return hasErrorCode(error, 'SCHEMA_VALIDATION');
}

/** Bytes that are not an event at all: not UTF-8, or not JSON (`INVALID_JSON`). The parser's error is the `cause`. */
export class EventDecodeError extends VmwEventsError {
  constructor(message: string, options: VmwEventsErrorOptions = {}) {
    super('INVALID_JSON', message, options);
    this.name = 'EventDecodeError';
  }
}

/** True for an {@link EventDecodeError} from any copy of the SDK. */
export function isEventDecodeError(error: unknown): error is EventDecodeError {
  return hasErrorCode(error, 'INVALID_JSON');
}

function formatIssues(schema: string, issues: readonly ValidationIssue[]): string {
  const lines = issues.slice(0, 20).map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`);
  const more = issues.length > 20 ? `\n  … and ${issues.length - 20} more` : '';
  return `Invalid ${schema}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}${more}`;
}

/** A topic name (or a part used to build one) that Kafka would reject or that breaks the naming convention. */
export class InvalidTopicNameError extends VmwEventsError {
  /** The rejected topic name or part. */
  readonly topic: string;

  constructor(topic: string, message: string, options: VmwEventsErrorOptions = {}) {
    super('INVALID_TOPIC_NAME', message, options);
    this.name = 'InvalidTopicNameError';
    this.topic = topic;
  }
}

/** True for an {@link InvalidTopicNameError} from any copy of the SDK. */
export function isInvalidTopicNameError(error: unknown): error is InvalidTopicNameError {
  return hasErrorCode(error, 'INVALID_TOPIC_NAME');
}

/** A record key (or one of its parts) that would break per-VM ordering or that Kafka tooling mishandles. */
export class InvalidKeyError extends VmwEventsError {
  /** Which part is wrong: `vmId`, `environment`, `tenantId`, `key`, `entity id`, … */
  readonly part: string;

  constructor(part: string, message: string, options: VmwEventsErrorOptions = {}) {
    super('INVALID_KEY', message, options);
    this.name = 'InvalidKeyError';
    this.part = part;
  }
}

/** True for an {@link InvalidKeyError} from any copy of the SDK. */
export function isInvalidKeyError(error: unknown): error is InvalidKeyError {
  return hasErrorCode(error, 'INVALID_KEY');
}

/** A record header whose value is missing, empty or not a valid single-line UTF-8 string. */
export class InvalidHeaderError extends VmwEventsError {
  /** The header name, e.g. `tenant` or `ce_id`. */
  readonly header: string;

  constructor(header: string, message: string, options: VmwEventsErrorOptions = {}) {
    super('INVALID_HEADER', message, options);
    this.name = 'InvalidHeaderError';
    this.header = header;
  }
}

/** True for an {@link InvalidHeaderError} from any copy of the SDK. */
export function isInvalidHeaderError(error: unknown): error is InvalidHeaderError {
  return hasErrorCode(error, 'INVALID_HEADER');
}

/** An event id input that cannot give a stable, portable UUID (bad namespace, unsupported identity part). */
export class InvalidEventIdError extends VmwEventsError {
  constructor(message: string, options: VmwEventsErrorOptions = {}) {
    super('INVALID_EVENT_ID', message, options);
    this.name = 'InvalidEventIdError';
  }
}

/** True for an {@link InvalidEventIdError} from any copy of the SDK. */
export function isInvalidEventIdError(error: unknown): error is InvalidEventIdError {
  return hasErrorCode(error, 'INVALID_EVENT_ID');
}
