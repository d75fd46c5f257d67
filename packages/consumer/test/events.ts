import { randomUUID } from 'node:crypto';

/** A valid power_on event (schema 1.0), optionally with vCenter info and overrides of operationInfo. */
export function makeEvent(
  options: {
    vmId?: string;
    tenantId?: string;
    environment?: string;
    eventKey?: number;
    instanceUuid?: string;
    eventId?: string;
    source?: string;
  } = {},
) {
  const eventId = options.eventId ?? randomUUID();
  return {
    schemaVersion: '1.0',
    eventId,
    source: options.source ?? 'https://vc01.example.com/sdk',
    correlationId: eventId,
    operationInfo: {
      operation: 'power_on',
      timestamp: '2026-01-02T03:04:05Z',
      vmId: options.vmId ?? 'vm-42',
      username: 'VSPHERE.LOCAL\\alice',
      environment: options.environment ?? 'DEV',
      tenantId: options.tenantId ?? 'tenantA',
      ...(options.eventKey === undefined
        ? {}
        : {
            vcenter: {
              instanceUuid: options.instanceUuid ?? '11111111-2222-3333-4444-555555555555',
              eventKey: options.eventKey,
              eventType: 'VmPoweredOnEvent',
              createdTime: '2026-01-02T03:04:05Z',
            },
          }),
    },
  };
}
