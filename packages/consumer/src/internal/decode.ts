import { parseVmOperationEvent } from '@org/vmware-events-schema';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { ConsumerError } from '../errors.js';

/**
 * The default decoder: UTF-8 → JSON → validation against the schema version the event declares (the
 * schema package accepts a newer minor version when the fields it knows are valid).
 */
export function decodeVmOperationEvent(value: Buffer | null): VmOperationEvent {
  if (value === null)
    throw new ConsumerError(
      'CONSUMER_DECODE',
      'Record has no value (tombstone); expected a VM operation event',
    );
  return parseVmOperationEvent(value);
}
