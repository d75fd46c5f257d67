/**
 * Errors of the vCenter bridge. They extend the SDK's shared base, so `isVmwEventsError()` and
 * `hasErrorCode()` recognise them, and carry a `BRIDGE_*` code.
 */
import { VmwEventsError, hasErrorCode } from '@org/vmware-events-schema';
import type { VmwEventsErrorOptions } from '@org/vmware-events-schema';

/** Every code the bridge raises. */
export const BRIDGE_ERROR_CODES = [
  'BRIDGE_INVALID_CONFIG',
  'BRIDGE_SOAP_FAULT',
  'BRIDGE_NOT_AUTHENTICATED',
  'BRIDGE_COLLECTOR_LOST',
  'BRIDGE_TRANSPORT',
  'BRIDGE_BAD_RESPONSE',
  'BRIDGE_CHECKPOINT',
  'BRIDGE_CLOSED',
] as const;

/** A code from {@link BRIDGE_ERROR_CODES}. */
export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];

/** An error raised by the bridge. */
export class BridgeError extends VmwEventsError {
  declare readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, message: string, options: VmwEventsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'BridgeError';
  }
}

/** One configuration value is wrong; `variable` names it (e.g. `VCENTER_URLS`). */
export class BridgeConfigError extends BridgeError {
  /** The environment variables that are wrong. */
  readonly variables: readonly string[];
  constructor(variables: readonly string[], message: string) {
    super('BRIDGE_INVALID_CONFIG', message);
    this.name = 'BridgeConfigError';
    this.variables = variables;
  }
}

/** vCenter answered with a SOAP fault. `faultType` is the fault class (e.g. `NotAuthenticated`, `ManagedObjectNotFound`). */
export class SoapFaultError extends BridgeError {
  /** The vSphere fault class from the fault detail, or `'unknown'`. */
  readonly faultType: string;
  constructor(
    code: 'BRIDGE_SOAP_FAULT' | 'BRIDGE_NOT_AUTHENTICATED' | 'BRIDGE_COLLECTOR_LOST',
    faultType: string,
    message: string,
  ) {
    super(code, message, { retriable: code !== 'BRIDGE_SOAP_FAULT' });
    this.name = 'SoapFaultError';
    this.faultType = faultType;
  }
}

/** True for a bridge error with the given code (from any copy of the SDK). */
export function isBridgeError<TCode extends BridgeErrorCode>(
  error: unknown,
  code: TCode,
): error is BridgeError & { code: TCode } {
  return hasErrorCode(error, code);
}
