/**
 * Errors raised by the consumer package: one class per failure kind that carries data, a stable `code` each.
 * Recognise them with {@link isConsumerError} (optionally with a code), not `instanceof`: the guard checks a
 * `Symbol.for` brand, the same in every ESM/CJS copy of the package.
 */
import { VmwEventsError, isVmwEventsError } from '@org/vmware-events-schema';
import type { VmwEventsErrorOptions } from '@org/vmware-events-schema';

const BRAND = Symbol.for('@org/vmware-events-consumer/error');

/** Error codes raised by the consumer package. */
export const CONSUMER_ERROR_CODES = [
  'CONSUMER_CLOSED',
  'CONSUMER_TENANT_MISMATCH',
  'CONSUMER_HANDLER_FATAL',
  'CONSUMER_RETRIES_EXHAUSTED',
  'CONSUMER_DEAD_LETTER_FAILED',
  'CONSUMER_STORE_UNAVAILABLE',
] as const;

/** A code from {@link CONSUMER_ERROR_CODES}, or `INVALID_OPTIONS` (a {@link ConsumerOptionsError}). */
export type ConsumerErrorCode = (typeof CONSUMER_ERROR_CODES)[number] | 'INVALID_OPTIONS';

/** An error raised by the consumer: a stable `code`, the `retriable` flag and the `cause`. */
export class ConsumerError extends VmwEventsError {
  declare readonly code: ConsumerErrorCode;

  constructor(code: ConsumerErrorCode, message: string, options: VmwEventsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ConsumerError';
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for any error raised by the consumer package (any ESM/CJS copy), its options errors included; with `code`,
 * only for that code.
 *
 * @example if (isConsumerError(error, 'CONSUMER_STORE_UNAVAILABLE')) …
 */
export function isConsumerError<TCode extends ConsumerErrorCode = ConsumerErrorCode>(
  error: unknown,
  code?: TCode,
): error is ConsumerError & { code: TCode } {
  return (
    isVmwEventsError(error) &&
    (error as unknown as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || error.code === code)
  );
}

/** One problem with the options: the option's path and what is wrong. */
export interface OptionIssue {
  /** Dotted path of the option, e.g. `retry.maxAttempts`; empty for the options object itself. */
  path: string;
  /** What is wrong, for a person. */
  message: string;
}

/** The options are invalid; `issues` names every bad option. Never contains option values. */
export class ConsumerOptionsError extends ConsumerError {
  /** Every problem found. */
  readonly issues: readonly OptionIssue[];
  constructor(what: string, issues: readonly OptionIssue[]) {
    super(
      'INVALID_OPTIONS',
      `Invalid ${what} options:\n${issues.map((i) => `  - ${i.path ? `${i.path} ` : ''}${i.message}`).join('\n')}`,
    );
    this.name = 'ConsumerOptionsError';
    this.issues = issues;
  }
}

/**
 * Thrown (or wrapped) by a handler to say "retrying cannot help": the event goes to the dead-letter
 * topic at once. `new FatalHandlerError('unknown VM', { cause })`.
 */
export class FatalHandlerError extends ConsumerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CONSUMER_HANDLER_FATAL', message, { ...options, retriable: false });
    this.name = 'FatalHandlerError';
  }
}

/** True for a {@link FatalHandlerError} from any copy of the SDK. */
export function isFatalHandlerError(error: unknown): error is FatalHandlerError {
  return isConsumerError(error, 'CONSUMER_HANDLER_FATAL');
}

/** Programmer errors: retrying the same code with the same input cannot succeed (kafkajs does the same). */
const PROGRAMMER_ERRORS = ['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError'];

/**
 * The default classification of a handler failure: fatal (dead-letter at once) or retriable.
 * Fatal: {@link FatalHandlerError}, any SDK error whose `retriable` is false, programmer errors
 * (`TypeError`, `RangeError`, `ReferenceError`, `SyntaxError`). Everything else is retried.
 */
export function isFatalByDefault(error: unknown): boolean {
  if (isFatalHandlerError(error)) return true;
  if (isVmwEventsError(error)) return !error.retriable;
  if (error instanceof Error) return PROGRAMMER_ERRORS.includes(error.name);
  return false;
}
