// The public API of @org/vmware-events-schema: named exports only, nothing else is public.

// --- errors ---
export {
  ERROR_CODES,
  VmwEventsError,
  SchemaValidationError,
  isVmwEventsError,
  isSchemaValidationError,
  hasErrorCode,
} from './errors.js';
export type { ErrorCode, VmwEventsErrorOptions, ValidationIssue } from './errors.js';

// --- types and validators (schemas/, src/generated/) ---

// --- conventions: keys, topics, headers ---

// --- compatibility checker ---
