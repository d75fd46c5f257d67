/** Types the bridge publishes. */

/** Canonical operations (schema `vm-operation-event` v1). */
export type Operation =
  | 'create'
  | 'delete'
  | 'update'
  | 'resize'
  | 'power_on'
  | 'power_off'
  | 'suspend'
  | 'reset'
  | 'clone'
  | 'migrate'
  | 'rename'
  | 'snapshot'
  | 'register';

/** A canonical VM operation event (docs/architecture.md). */
export interface CanonicalEvent {
  schemaVersion: '1.0';
  eventId: string;
  source: string;
  correlationId: string;
  operationInfo: {
    operation: Operation;
    timestamp: string;
    vmId: string;
    username: string;
    environment: string;
    tenantId: string;
    vmName?: string;
    notes?: string;
    vcenter?: {
      instanceUuid: string;
      eventKey: number;
      eventType: string;
      createdTime: string;
      chainId?: number;
    };
  };
  vmData?: { cpu: number; memoryMB: number; storageGB: number };
}

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
