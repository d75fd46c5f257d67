/** Types the bridge publishes. */
import type { Operation as SchemaOperation, VmOperationEvent } from '@org/vmware-events-schema';

/** Canonical operations (schema `vm-operation-event` v1). */
export type Operation = SchemaOperation;

/** A canonical VM operation event (schema `vm-operation-event` v1). */
export type CanonicalEvent = VmOperationEvent;

/** An unmapped vCenter event as a CloudEvent (structured mode), the vCenter Event Broker Appliance's format. */
export interface RawCloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}
