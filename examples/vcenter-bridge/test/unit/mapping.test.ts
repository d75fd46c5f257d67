/**
 * The mapping, from a vCenter event as vCenter writes it (SOAP XML, parsed by the bridge's own parser) to the canonical
 * event (checked against the schema). Facts the worker would read from vCenter are passed in.
 */
import { validateVmOperationEvent } from '@org/vmware-events-schema';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { describe, expect, it } from 'vitest';
import { classify, eventIdOf, mapEvent, ruleOf, toRawCloudEvent } from '../../src/mapping.js';
import type { MappingFacts } from '../../src/mapping.js';
import { child, childrenNamed, parseXml } from '../../src/soap/xml.js';
import { parseVcenterEvent } from '../../src/vcenter-event.js';
import type { VcenterEvent } from '../../src/vcenter-event.js';

const UUID = '8c3c5f8a-6e54-4a1f-9d3f-2b7e4a0c1d22';
const ctx = {
  instanceUuid: UUID,
  source: 'https://vc01.example.com/sdk',
  environment: 'DEV',
  tenantId: 'tenantA',
};
const VM_UUIDS = {
  instanceUuid: '50127a3c-9d4e-4f1a-8b2c-3d4e5f6a7b8c',
  biosUuid: '4212e5b1-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
};
const HW = { name: 'web-01', cpu: 2, memoryMB: 2048, storageGB: 10 };

/** One event as a real vCenter writes it in a ReadNextEvents answer (`xsi:` prefix, µs timestamps). */
function vcenterEvent(cls: string, body = '', key = 100, chainId = key): VcenterEvent {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><ReadNextEventsResponse xmlns="urn:vim25">
<returnval xsi:type="${cls}"><key>${key}</key><chainId>${chainId}</chainId><createdTime>2026-01-02T03:04:05.123456Z</createdTime>
<userName>VSPHERE.LOCAL\\admin</userName><datacenter><name>DC0</name><datacenter type="Datacenter">datacenter-2</datacenter></datacenter>
<host><name>esx-02</name><host type="HostSystem">host-22</host></host>
${body.includes('<vm>') ? '' : '<vm><name>web-01</name><vm type="VirtualMachine">vm-57</vm></vm>'}${body}
<fullFormattedMessage>message</fullFormattedMessage></returnval></ReadNextEventsResponse></soapenv:Body></soapenv:Envelope>`;
  const rv = childrenNamed(child(child(parseXml(xml), 'Body'), 'ReadNextEventsResponse'), 'returnval');
  return parseVcenterEvent(rv[0]!);
}

/** Map and check every canonical event against the schema; returns them. */
function canonical(event: VcenterEvent, facts: MappingFacts = { vm: { hardware: undefined, ...VM_UUIDS } }) {
  const result = mapEvent(event, ctx, facts);
  if (result.kind !== 'canonical') throw new Error(`${event.eventClass} was not mapped`);
  for (const { event: e } of result.events) {
    const check = validateVmOperationEvent(e);
    expect(check.valid ? [] : check.issues, e.operationInfo.operation).toEqual([]);
  }
  return result.events.map((m) => m.event);
}
const only = (event: VcenterEvent, facts?: MappingFacts): VmOperationEvent => {
  const events = canonical(event, facts);
  expect(events).toHaveLength(1);
  return events[0]!;
};
const what = (e: VmOperationEvent) => [e.operationInfo.operation, e.operationInfo.detail];

describe('mapping by class inheritance', () => {
  it('maps subclasses of a mapped class, with what exactly happened', () => {
    const haRestart = only(
      vcenterEvent(
        'VmRestartedOnAlternateHostEvent',
        '<sourceHost><name>esx-01</name><host type="HostSystem">host-21</host></sourceHost>',
      ),
    );
    expect(what(haRestart)).toEqual(['power_on', 'ha_restart']);
    expect(haRestart.operationInfo.notes).toBe('restarted by vSphere HA on esx-02 (it ran on esx-01)');
    expect(haRestart.operationInfo.username).toBe('VSPHERE.LOCAL\\admin');
    const isolation = only(
      vcenterEvent(
        'VmPowerOffOnIsolationEvent',
        '<isolatedHost><name>esx-03</name><host type="HostSystem">host-23</host></isolatedHost>',
      ),
    );
    expect(what(isolation)).toEqual(['power_off', 'ha_isolation_power_off']);
    expect(isolation.operationInfo.notes).toBe('vSphere HA isolation response on esx-03');
    expect(what(only(vcenterEvent('VmShutdownOnIsolationEvent')))).toEqual([
      'power_off',
      'ha_isolation_shutdown',
    ]);
    expect(what(only(vcenterEvent('DrsVmPoweredOnEvent')))).toEqual(['power_on', 'drs']);
    expect(what(only(vcenterEvent('DrsVmMigratedEvent')))).toEqual(['migrate', 'drs']);
    // No rule of its own: the parent's (VmDasBeingResetEvent) decides.
    expect(ruleOf('VmDasBeingResetWithScreenshotEvent')?.from).toBe('VmDasBeingResetEvent');
    expect(what(only(vcenterEvent('VmDasBeingResetWithScreenshotEvent')))).toEqual(['reset', 'ha_reset']);
  });

  it('maps a guest reboot to reset and a rename by vCenter to rename, both with their detail', () => {
    expect(what(only(vcenterEvent('VmGuestRebootEvent')))).toEqual(['reset', 'guest_reboot']);
    const auto = only(
      vcenterEvent('VmAutoRenameEvent', '<oldName>web-01</oldName><newName>web-01 (1)</newName>'),
    );
    expect(auto.operationInfo).toMatchObject({
      operation: 'rename',
      detail: 'auto_rename',
      vmName: 'web-01 (1)',
      previousVmName: 'web-01',
    });
  });

  it('leaves intermediate, unknown and non-VM events unmapped; a null rule stops inheritance', () => {
    for (const cls of [
      'VmStartingEvent',
      'VmBeingCreatedEvent',
      'VmGuestShutdownEvent',
      'VmUuidAssignedEvent',
    ])
      expect(mapEvent(vcenterEvent(cls), ctx)).toEqual({ kind: 'unmapped' });
    expect(mapEvent(vcenterEvent('VmSomethingNewIn9Event'), ctx)).toEqual({ kind: 'unmapped' });
    expect(mapEvent(vcenterEvent('UserLoginSessionEvent', '<vm></vm>'), ctx)).toEqual({ kind: 'unmapped' });
    const timeout = vcenterEvent(
      'TaskTimeoutEvent',
      '<info><descriptionId>VirtualMachine.createSnapshot</descriptionId></info>',
    );
    expect(ruleOf('TaskTimeoutEvent')).toEqual({ rule: null, from: 'TaskTimeoutEvent' });
    expect(classify(timeout)).toBeUndefined();
  });
});

describe('snapshots', () => {
  const task = (descriptionId: string, name: string) =>
    vcenterEvent(
      'TaskEvent',
      `<info><key>task-9</key><task type="Task">task-9</task><name>${name}</name><descriptionId>${descriptionId}</descriptionId><entity type="VirtualMachine">vm-57</entity><entityName>web-01</entityName><state>running</state></info>`,
    );

  it('maps snapshot tasks to snapshot with the action, saying the task started', () => {
    const created = only(task('VirtualMachine.createSnapshot', 'CreateSnapshot_Task'));
    expect(created.operationInfo).toMatchObject({
      operation: 'snapshot',
      detail: 'snapshot_create',
      vmId: 'vm-57',
      notes: 'CreateSnapshot_Task task started (vCenter logs no event when it ends)',
      vcenter: { eventType: 'TaskEvent' },
    });
    expect(what(only(task('VirtualMachineSnapshot.remove', 'RemoveSnapshot_Task')))).toEqual([
      'snapshot',
      'snapshot_remove',
    ]);
    expect(what(only(task('VirtualMachine.removeAllSnapshots', 'RemoveAllSnapshots_Task')))).toEqual([
      'snapshot',
      'snapshot_remove_all',
    ]);
    // A revert is taken from the EventEx logged when it is done; its task is not mapped too.
    expect(mapEvent(task('VirtualMachineSnapshot.revert', 'RevertToSnapshot_Task'), ctx)).toEqual({
      kind: 'unmapped',
    });
    expect(mapEvent(task('VirtualMachine.powerOn', 'PowerOnVM_Task'), ctx)).toEqual({ kind: 'unmapped' });
  });

  it('maps the revert EventEx with the snapshot name, for the VM it names', () => {
    const reverted = only(
      vcenterEvent(
        'EventEx',
        '<eventTypeId>com.vmware.vc.vm.VmStateRevertedToSnapshot</eventTypeId><arguments><key>snapshotName</key><value xsi:type="xsd:string">before-patch</value></arguments><objectId>vm-57</objectId><objectType>VirtualMachine</objectType><objectName>web-01</objectName>',
      ),
    );
    expect(reverted.operationInfo).toMatchObject({
      operation: 'snapshot',
      detail: 'snapshot_revert',
      snapshotName: 'before-patch',
      vmId: 'vm-57',
      vcenter: { eventType: 'com.vmware.vc.vm.VmStateRevertedToSnapshot' },
    });
  });
});

describe('removal, identity and clones', () => {
  it('tells destroy from unregister by the task that began the chain, and says when it cannot', () => {
    const removed = vcenterEvent('VmRemovedEvent', '', 3765733, 3765731);
    expect(what(only(removed, { task: 'VirtualMachine.destroy' }))).toEqual(['delete', 'destroy']);
    expect(what(only(removed, { task: 'VirtualMachine.unregister' }))).toEqual(['delete', 'unregister']);
    const unknown = only(removed, {});
    expect(what(unknown)).toEqual(['delete', undefined]);
    expect(unknown.operationInfo.notes).toMatch(/not known/);
  });

  it('carries the VM UUIDs beside the moref, and the old and new value of a UUID change', () => {
    const on = only(vcenterEvent('VmPoweredOnEvent'));
    expect(on.operationInfo.vcenter).toMatchObject({
      vmInstanceUuid: VM_UUIDS.instanceUuid,
      vmBiosUuid: VM_UUIDS.biosUuid,
    });
    const bios = only(
      vcenterEvent(
        'VmUuidChangedEvent',
        '<oldUuid>4212e5b1-7c8d-4e9f-a0b1-c2d3e4f5a6b7</oldUuid><newUuid>4212aaaa-7c8d-4e9f-a0b1-c2d3e4f5a6b7</newUuid>',
      ),
    );
    expect(bios.operationInfo).toMatchObject({ operation: 'update', detail: 'bios_uuid_changed' });
    expect(bios.operationInfo.vcenter).toMatchObject({
      vmBiosUuid: '4212aaaa-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
      previousVmBiosUuid: VM_UUIDS.biosUuid,
      vmInstanceUuid: VM_UUIDS.instanceUuid,
    });
    const instance = only(
      vcenterEvent(
        'VmInstanceUuidChangedEvent',
        `<oldInstanceUuid>${VM_UUIDS.instanceUuid}</oldInstanceUuid><newInstanceUuid>5012ffff-9d4e-4f1a-8b2c-3d4e5f6a7b8c</newInstanceUuid>`,
      ),
    );
    expect(what(instance)).toEqual(['update', 'instance_uuid_changed']);
    expect(instance.operationInfo.vcenter).toMatchObject({
      vmInstanceUuid: '5012ffff-9d4e-4f1a-8b2c-3d4e5f6a7b8c',
      previousVmInstanceUuid: VM_UUIDS.instanceUuid,
    });
  });

  const cloned = () =>
    vcenterEvent(
      'VmClonedEvent',
      '<vm><name>web-02</name><vm type="VirtualMachine">vm-90</vm></vm><sourceVm><name>web-01</name><vm type="VirtualMachine">vm-57</vm></sourceVm>',
      200,
      198,
    );

  it('reports a clone for the source and a create for the new VM when vCenter logged no create of its own', () => {
    const [clone, create] = canonical(cloned(), {
      vm: { hardware: undefined, ...VM_UUIDS },
      cloneTarget: {
        createdSeparately: false,
        vm: { hardware: { ...HW, name: 'web-02' }, instanceUuid: undefined, biosUuid: undefined },
      },
    });
    expect(clone!.operationInfo).toMatchObject({
      operation: 'clone',
      vmId: 'vm-57',
      vmName: 'web-01',
      relatedVm: { vmId: 'vm-90', vmName: 'web-02' },
    });
    expect(create!).toMatchObject({
      eventId: eventIdOf(UUID, 200, 'clone-target'),
      operationInfo: {
        operation: 'create',
        detail: 'clone_target',
        vmId: 'vm-90',
        vmName: 'web-02',
        relatedVm: { vmId: 'vm-57', vmName: 'web-01' },
      },
      vmData: { cpu: 2, memoryMB: 2048, storageGB: 10 },
    });
    expect(clone!.eventId).toBe(eventIdOf(UUID, 200));
    expect(create!.correlationId).toBe(clone!.correlationId); // one vCenter task
  });

  it('reports only the clone when the new VM has its own VmCreatedEvent (the simulator), which is its create', () => {
    const events = canonical(cloned(), {
      vm: { hardware: undefined, ...VM_UUIDS },
      cloneTarget: { createdSeparately: true, vm: undefined },
    });
    expect(events.map(what)).toEqual([['clone', undefined]]);
    const created = only(
      vcenterEvent('VmCreatedEvent', '<vm><name>web-02</name><vm type="VirtualMachine">vm-90</vm></vm>'),
      {
        vm: { hardware: HW, ...VM_UUIDS },
        cloneSource: { name: 'web-01', moref: 'vm-57' },
      },
    );
    expect(created.operationInfo).toMatchObject({
      operation: 'create',
      detail: 'clone_target',
      relatedVm: { vmId: 'vm-57', vmName: 'web-01' },
    });
  });

  it('names the template of a deploy', () => {
    const deployed = only(
      vcenterEvent(
        'VmDeployedEvent',
        '<srcTemplate><name>tpl-linux</name><vm type="VirtualMachine">vm-5</vm></srcTemplate>',
      ),
      { vm: { hardware: HW, ...VM_UUIDS } },
    );
    expect(deployed.operationInfo).toMatchObject({
      operation: 'create',
      detail: 'template_deploy',
      relatedVm: { vmId: 'vm-5', vmName: 'tpl-linux' },
    });
  });
});

describe('canonical event fields', () => {
  it('builds the event with a stable id from instance and key, and the original createdTime', () => {
    const e = only(vcenterEvent('VmPoweredOnEvent', '', 100, 99));
    expect(e).toEqual({
      schemaVersion: '1.1',
      eventId: eventIdOf(UUID, 100),
      source: ctx.source,
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      operationInfo: {
        operation: 'power_on',
        timestamp: '2026-01-02T03:04:05.123Z',
        vmId: 'vm-57',
        username: 'VSPHERE.LOCAL\\admin',
        environment: 'DEV',
        tenantId: 'tenantA',
        vmName: 'web-01',
        vcenter: {
          instanceUuid: UUID,
          eventKey: 100,
          eventType: 'VmPoweredOnEvent',
          createdTime: '2026-01-02T03:04:05.123456Z',
          chainId: 99,
          vmInstanceUuid: VM_UUIDS.instanceUuid,
          vmBiosUuid: VM_UUIDS.biosUuid,
        },
      },
    });
    expect(eventIdOf(UUID, 100)).not.toBe(eventIdOf('uuid-2', 100));
    expect(eventIdOf(UUID, 100)).not.toBe(eventIdOf(UUID, 101));
    // known vector: uuid.uuid5(UUID('38f26ca9-b0f8-548b-8ca4-4d3d89d38694'), 'vcenter\x1fuuid-1\x1f100') in Python
    expect(eventIdOf('uuid-1', 100)).toBe('f2882b1e-c8be-50b8-a4fe-7804ca53c7f7');
  });

  it('maps events after the int32 key wrapped to valid canonical events (schema 1.1)', () => {
    for (const [key, chainId] of [
      [-2147483648, 2147483647],
      [-5, -6],
    ] as const) {
      const e = only(vcenterEvent('VmPoweredOnEvent', '', key, chainId));
      expect(e.operationInfo.vcenter).toMatchObject({ eventKey: key, chainId });
      expect(e.eventId).toBe(eventIdOf(UUID, key));
    }
  });

  it('a resize carries the requested cpu/memory and the VM storage; a create carries the hardware', () => {
    const resize = only(
      vcenterEvent(
        'VmReconfiguredEvent',
        '<configSpec><numCPUs>4</numCPUs><memoryMB>8192</memoryMB></configSpec>',
      ),
      { vm: { hardware: HW, ...VM_UUIDS } },
    );
    expect([resize.operationInfo.operation, resize.vmData]).toEqual([
      'resize',
      { cpu: 4, memoryMB: 8192, storageGB: 10 },
    ]);
    const create = only(vcenterEvent('VmCreatedEvent'), { vm: { hardware: HW, ...VM_UUIDS } });
    expect(create.vmData).toEqual({ cpu: 2, memoryMB: 2048, storageGB: 10 });
    const rename = only(vcenterEvent('VmReconfiguredEvent', '<configSpec><name>web-99</name></configSpec>'));
    expect(rename.operationInfo).toMatchObject({
      operation: 'rename',
      vmName: 'web-99',
      previousVmName: 'web-01',
    });
  });

  it('publishes a create/resize whose VM is gone as update, saying why', () => {
    const result = mapEvent(vcenterEvent('VmCreatedEvent'), ctx, {});
    expect(result.kind === 'canonical' && result.events[0]!.degraded).toMatch(/no longer exists/);
    const e = only(vcenterEvent('VmCreatedEvent'), {});
    expect(e.operationInfo.operation).toBe('update');
    expect(e.vmData).toBeUndefined();
    expect(e.operationInfo.notes).toMatch(/VmCreatedEvent \(create\)/);
  });

  it('renders an unmapped event as a CloudEvent in the appliance format', () => {
    const ce = toRawCloudEvent(vcenterEvent('VmStartingEvent'), ctx);
    expect(ce).toMatchObject({
      specversion: '1.0',
      id: eventIdOf(UUID, 100),
      source: ctx.source,
      type: 'com.vmware.vsphere.VmStartingEvent.v0',
      subject: 'VmStartingEvent',
      time: '2026-01-02T03:04:05.123456Z',
      datacontenttype: 'application/json',
    });
    expect(ce.data).toMatchObject({
      Key: '100',
      Vm: { Name: 'web-01', Vm: { Type: 'VirtualMachine', Value: 'vm-57' } },
    });
    const ex = toRawCloudEvent(
      vcenterEvent('EventEx', '<eventTypeId>com.vmware.vc.HA.Something</eventTypeId>'),
      ctx,
    );
    expect(ex.type).toBe('com.vmware.vsphere.com.vmware.vc.HA.Something.v0');
  });
});
