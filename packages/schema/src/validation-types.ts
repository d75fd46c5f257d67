/**
 * The shape of a precompiled (ajv standalone) validator, as emitted into src/generated/. Internal.
 */
import type { ErrorObject } from 'ajv';

/** A precompiled validator: returns whether `data` is valid; on failure `errors` lists every problem. */
export interface CompiledValidator {
  (data: unknown): boolean;
  /** Errors of the last call (null when it was valid). */
  errors?: ErrorObject[] | null;
}
