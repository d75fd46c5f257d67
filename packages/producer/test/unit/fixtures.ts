import type { VmOperationEventInput } from '../../src/index.js';

/** A valid event input without the fields the producer fills in. */
export function vmEventInput(): VmOperationEventInput {
  return {
    operationInfo: { operation: 'power_on', vmId: 'vm-1', username: 'u', environment: 'DEV', tenantId: 't' },
  };
}
