import { describe, expect, it } from 'vitest';
import {
  EVENT_CLASS_OPERATIONS,
  eventIdOf,
  mapEvent,
  operationOf,
  toRawCloudEvent,
} from '../../src/mapping.js';
import type { VcenterEvent } from '../../src/vcenter-event.js';
import { validateVmOperationEvent } from '@org/vmware-events-schema';

const UUID = '8c3c5f8a-6e54-4a1f-9d3f-2b7e4a0c1d22';

const ctx = {
  instanceUuid: 'uuid-1',
  source: 'https://vc01.example.com/sdk',
  environment: 'DEV',
  tenantId: 'tenantA',
};
const base: VcenterEvent = {
  eventClass: 'VmPoweredOnEvent',
  eventTypeId: undefined,
  key: 100,
  chainId: 99,
  createdTime: '2026-01-02T03:04:05.123456789Z',
  userName: 'admin',
  vm: { name: 'web-01', moref: 'vm-57' },
  sourceVm: undefined,
  datacenter: 'DC0',
  host: undefined,
  computeResource: undefined,
  fullFormattedMessage: 'powered on',
  configSpec: undefined,
  oldName: undefined,
  newName: undefined,
  raw: {
    _type: 'VmPoweredOnEvent',
    key: '100',
    vm: { name: 'web-01', vm: { type: 'VirtualMachine', value: 'vm-57' } },
  },
};
const hw = { name: 'web-01', cpu: 2, memoryMB: 2048, storageGB: 10 };

describe('mapping', () => {
  it.each(Object.entries(EVENT_CLASS_OPERATIONS))('maps %s to %s', (cls, op) => {
    expect(operationOf({ ...base, eventClass: cls, sourceVm: { name: 'tpl', moref: 'vm-1' } })).toBe(op);
  });

  it('leaves intermediate and non-VM events unmapped', () => {
    for (const cls of [
      'VmStartingEvent',
      'VmBeingCreatedEvent',
      'VmStoppingEvent',
      'UserLoginSessionEvent',
    ]) {
      expect(operationOf({ ...base, eventClass: cls })).toBeUndefined();
    }
    expect(operationOf({ ...base, vm: undefined })).toBeUndefined();
  });

  it('classifies a reconfiguration: resize on cpu/memory/disk, rename on name, update otherwise', () => {
    const r = (configSpec: VcenterEvent['configSpec']) =>
      operationOf({ ...base, eventClass: 'VmReconfiguredEvent', configSpec });
    expect(r({ numCPUs: 4, diskChanges: 0 })).toBe('resize');
    expect(r({ memoryMB: 4096, diskChanges: 0 })).toBe('resize');
    expect(r({ diskChanges: 1 })).toBe('resize');
    expect(r({ name: 'new', diskChanges: 0 })).toBe('rename');
    expect(r({ diskChanges: 0 })).toBe('update');
  });

  it('maps events after the int32 key wrapped to valid canonical events (schema 1.1)', () => {
    for (const [key, chainId] of [
      [-2147483648, 2147483647],
      [-5, -6],
    ] as const) {
      const result = mapEvent({ ...base, key, chainId }, { ...ctx, instanceUuid: UUID }, undefined);
      if (result.kind !== 'canonical') throw new Error('expected a canonical event');
      expect(result.event.operationInfo.vcenter).toMatchObject({ eventKey: key, chainId });
      expect(validateVmOperationEvent(result.event)).toMatchObject({ valid: true });
      expect(result.event.eventId).toBe(eventIdOf(UUID, key));
    }
  });

  it('builds the canonical event with a stable id from instance and key, and the original createdTime', () => {
    const result = mapEvent(base, ctx, undefined);
    expect(result.kind).toBe('canonical');
    if (result.kind !== 'canonical') return;
    expect(result.event).toEqual({
      schemaVersion: '1.1',
      eventId: eventIdOf('uuid-1', 100),
      source: ctx.source,
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      operationInfo: {
        operation: 'power_on',
        timestamp: '2026-01-02T03:04:05.123Z',
        vmId: 'vm-57',
        username: 'admin',
        environment: 'DEV',
        tenantId: 'tenantA',
        vmName: 'web-01',
        vcenter: {
          instanceUuid: 'uuid-1',
          eventKey: 100,
          eventType: 'VmPoweredOnEvent',
          createdTime: base.createdTime,
          chainId: 99,
        },
      },
    });
    expect(mapEvent(base, ctx, undefined)).toEqual(result);
    expect(eventIdOf('uuid-1', 100)).not.toBe(eventIdOf('uuid-2', 100));
    expect(eventIdOf('uuid-1', 100)).not.toBe(eventIdOf('uuid-1', 101));
  });

  it('uses the event id of the schema package convention: deriveEventId("vcenter", instanceUuid, key)', async () => {
    const schema = (await import('@org/vmware-events-schema')) as Record<string, unknown>;
    const derive = schema.deriveEventId as ((...p: (string | number)[]) => string) | undefined;
    if (derive) expect(eventIdOf('uuid-1', 100)).toBe(derive('vcenter', 'uuid-1', 100));
    // known vector: uuid.uuid5(UUID('38f26ca9-b0f8-548b-8ca4-4d3d89d38694'), 'vcenter\x1fuuid-1\x1f100') in Python
    expect(eventIdOf('uuid-1', 100)).toBe('f2882b1e-c8be-50b8-a4fe-7804ca53c7f7');
  });

  it('a resize carries the requested cpu/memory and the VM storage; a create carries the hardware', () => {
    const resize = mapEvent(
      {
        ...base,
        eventClass: 'VmReconfiguredEvent',
        configSpec: { numCPUs: 4, memoryMB: 8192, diskChanges: 0 },
      },
      ctx,
      hw,
    );
    expect(resize.kind === 'canonical' && resize.event.vmData).toEqual({
      cpu: 4,
      memoryMB: 8192,
      storageGB: 10,
    });
    expect(resize.kind === 'canonical' && resize.event.operationInfo.operation).toBe('resize');
    const create = mapEvent({ ...base, eventClass: 'VmCreatedEvent' }, ctx, hw);
    expect(create.kind === 'canonical' && create.event.vmData).toEqual({
      cpu: 2,
      memoryMB: 2048,
      storageGB: 10,
    });
  });

  it('publishes a create/resize whose VM is gone as update, saying why', () => {
    const result = mapEvent({ ...base, eventClass: 'VmCreatedEvent' }, ctx, undefined);
    expect(result.kind).toBe('canonical');
    if (result.kind !== 'canonical') return;
    expect(result.event.operationInfo.operation).toBe('update');
    expect(result.event.vmData).toBeUndefined();
    expect(result.degraded).toMatch(/no longer exists/);
    expect(result.event.operationInfo.notes).toMatch(/VmCreatedEvent/);
  });

  it('reports a clone for the source VM and names the new VM in notes', () => {
    const result = mapEvent(
      {
        ...base,
        eventClass: 'VmClonedEvent',
        vm: { name: 'copy', moref: 'vm-90' },
        sourceVm: { name: 'web-01', moref: 'vm-57' },
      },
      ctx,
      undefined,
    );
    expect(result.kind === 'canonical' && result.event.operationInfo).toMatchObject({
      operation: 'clone',
      vmId: 'vm-57',
      vmName: 'web-01',
      notes: 'cloned to copy (vm-90)',
    });
    expect(operationOf({ ...base, eventClass: 'VmClonedEvent', sourceVm: undefined })).toBeUndefined();
  });

  it('renders an unmapped event as a CloudEvent in the appliance format', () => {
    const ce = toRawCloudEvent({ ...base, eventClass: 'VmStartingEvent' }, ctx);
    expect(ce).toMatchObject({
      specversion: '1.0',
      id: eventIdOf('uuid-1', 100),
      source: ctx.source,
      type: 'com.vmware.vsphere.VmStartingEvent.v0',
      subject: 'VmStartingEvent',
      time: base.createdTime,
      datacontenttype: 'application/json',
    });
    expect(ce.data).toMatchObject({
      Key: '100',
      Vm: { Name: 'web-01', Vm: { Type: 'VirtualMachine', Value: 'vm-57' } },
    });
    const ex = toRawCloudEvent(
      { ...base, eventClass: 'EventEx', eventTypeId: 'com.vmware.vc.HA.Something' },
      ctx,
    );
    expect(ex.type).toBe('com.vmware.vsphere.com.vmware.vc.HA.Something.v0');
  });
});
