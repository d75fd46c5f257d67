import { VmwEventsError, hasErrorCode, isVmwEventsError } from '@org/vmware-events-schema';
import type { VmwEventsErrorOptions } from '@org/vmware-events-schema';

/** Error codes raised by the consumer package. */
export const CONSUMER_ERROR_CODES = [
  'CONSUMER_CLOSED',
  'CONSUMER_DECODE',
  'CONSUMER_TENANT_MISMATCH',
  'CONSUMER_HANDLER_FATAL',
  'CONSUMER_RETRIES_EXHAUSTED',
  'CONSUMER_DEAD_LETTER_FAILED',
  'CONSUMER_STORE_UNAVAILABLE',
] as const;

/** A code from {@link CONSUMER_ERROR_CODES}. */
export type ConsumerErrorCode = (typeof CONSUMER_ERROR_CODES)[number];

/** An error raised by the consumer: a stable `code`, the `retriable` flag and the `cause`. */
export class ConsumerError extends VmwEventsError {
  declare readonly code: ConsumerErrorCode;

  constructor(code: ConsumerErrorCode, message: string, options: VmwEventsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ConsumerError';
  }
}

/** True for any error raised by the consumer package (any ESM/CJS copy). */
export function isConsumerError(error: unknown): error is ConsumerError {
  return isVmwEventsError(error) && (CONSUMER_ERROR_CODES as readonly string[]).includes(error.code);
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
  return hasErrorCode(error, 'CONSUMER_HANDLER_FATAL');
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
