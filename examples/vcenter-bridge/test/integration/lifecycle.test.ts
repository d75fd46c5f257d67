/**
 * VM lifecycle changes the simulator cannot produce by itself, posted into its event history the way a real vCenter
 * logs them (EventManager.PostEvent), next to the ones it does produce (destroy, unregister): HA restart and
 * isolation response, guest reboot, snapshot tasks and a revert, destroy vs unregister, a BIOS UUID change. The
 * bridge reads them like any other event; the canonical events in Kafka must say what happened.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateVmOperationEvent } from '@org/vmware-events-schema';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBridge } from '../../src/bridge.js';
import { parseConfig } from '../../src/config.js';
import { BROKERS, collect, freshTopics, postEvents, startVcsim, vmArgument, waitUntil } from './helpers.js';

const task = (vm: { moref: string; xml: string }, name: string, descriptionId: string) =>
  [
    'TaskEvent',
    `${vm.xml}<info><key>task-${name}</key><task type="Task">task-${name}</task><name>${name}</name><descriptionId>${descriptionId}</descriptionId><entity type="VirtualMachine">${vm.moref}</entity><state>running</state><cancelled>false</cancelled><cancelable>false</cancelable><queueTime>2026-01-01T00:00:00Z</queueTime><eventChainId>0</eventChainId></info>`,
  ] as const;

describe('vcenter-bridge: VM lifecycle events a real vCenter logs', () => {
  it('publishes what exactly happened: HA, guest reboot, snapshots, destroy vs unregister, UUID change', async () => {
    const sim = await startVcsim();
    const [topic, rawTopic] = await freshTopics('bridge-life', 'bridge-life-raw');
    const dir = await mkdtemp(join(tmpdir(), 'bridge-life-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bridge = createBridge(
      parseConfig({
        VCENTER_URLS: sim.url,
        VCENTER_INSECURE: 'true',
        KAFKA_BROKERS: BROKERS.join(','),
        BRIDGE_ENVIRONMENT: 'DEV',
        BRIDGE_TENANT_ID: 'tenantA',
        BRIDGE_TOPIC: topic,
        BRIDGE_RAW_TOPIC: rawTopic,
        BRIDGE_CHECKPOINT_DIR: dir,
        BRIDGE_HEALTH_PORT: '0',
        BRIDGE_POLL_INTERVAL_MS: '50',
      }),
    );
    onTestFinished(() => bridge.stop());
    await bridge.start();
    const reader = await collect([topic!]);
    await waitUntil(() => bridge.stats()[sim.endpoint]!.vcenterConnected, 20_000, 'bridge connected');

    const web = await vmArgument(sim, 'DC0_H0_VM0');
    const db = await vmArgument(sim, 'DC0_H0_VM1');
    const host = (name: string, tag: string) =>
      `<${tag}><name>${name}</name><host type="HostSystem">host-x</host></${tag}>`;
    const bios = JSON.parse(await sim.govc('vm.info', '-json', 'DC0_H0_VM0')) as {
      virtualMachines: Array<{ config: { uuid: string; instanceUuid: string } }>;
    };
    const { uuid: oldBios, instanceUuid } = bios.virtualMachines[0]!.config;
    const newBios = '42aaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    await postEvents(sim, [
      [
        'VmRestartedOnAlternateHostEvent',
        `${web.xml}${host('esx-01', 'sourceHost')}<template>false</template>`,
      ],
      ['VmPowerOffOnIsolationEvent', `${db.xml}${host('esx-02', 'isolatedHost')}<template>false</template>`],
      ['VmGuestRebootEvent', `${web.xml}<template>false</template>`],
      task(web, 'CreateSnapshot_Task', 'VirtualMachine.createSnapshot'),
      [
        'EventEx',
        `${web.xml}<eventTypeId>com.vmware.vc.vm.VmStateRevertedToSnapshot</eventTypeId><arguments><key>snapshotName</key><value xsi:type="xsd:string">before-patch</value></arguments><objectId>${web.moref}</objectId><objectType>VirtualMachine</objectType><objectName>DC0_H0_VM0</objectName>`,
      ],
      [
        'VmUuidChangedEvent',
        `${web.xml}<template>false</template><oldUuid>${oldBios}</oldUuid><newUuid>${newBios}</newUuid>`,
      ],
    ]);
    // Destroy and unregister are real simulator operations; the task events before them are what vCenter logs.
    await sim.govc('vm.power', '-off', 'DC0_H0_VM1');
    await postEvents(sim, [task(db, 'Destroy_Task', 'VirtualMachine.destroy')]);
    await sim.govc('vm.destroy', 'DC0_H0_VM1');
    await sim.govc('vm.power', '-off', 'DC0_H0_VM0');
    await postEvents(sim, [task(web, 'UnregisterVM', 'VirtualMachine.unregister')]);
    await sim.govc('vm.unregister', 'DC0_H0_VM0');

    const info = (e: VmOperationEvent) => e.operationInfo;
    const events = () =>
      reader.records.filter((r) => r.topic === topic).map((r) => r.value as unknown as VmOperationEvent);
    const deleteOf = (vm: string) =>
      events().find((e) => info(e).operation === 'delete' && info(e).vmId === vm);
    await waitUntil(() => deleteOf(web.moref) && deleteOf(db.moref), 30_000, 'both removals');

    const published = events();
    for (const e of published) expect(validateVmOperationEvent(e).valid).toBe(true);
    const find = (operation: string, detail: string) => {
      const found = published.filter((e) => info(e).operation === operation && info(e).detail === detail);
      expect(found, `${operation}/${detail}`).toHaveLength(1);
      return info(found[0]!);
    };
    expect(find('power_on', 'ha_restart')).toMatchObject({
      vmId: web.moref,
      notes: 'restarted by vSphere HA (it ran on esx-01)',
    });
    expect(find('power_off', 'ha_isolation_power_off')).toMatchObject({ vmId: db.moref });
    expect(find('reset', 'guest_reboot')).toMatchObject({ vmId: web.moref });
    expect(find('snapshot', 'snapshot_create')).toMatchObject({ vmId: web.moref, vmName: 'DC0_H0_VM0' });
    expect(find('snapshot', 'snapshot_revert')).toMatchObject({
      vmId: web.moref,
      snapshotName: 'before-patch',
    });
    expect(find('update', 'bios_uuid_changed').vcenter).toMatchObject({
      vmBiosUuid: newBios,
      previousVmBiosUuid: oldBios,
      vmInstanceUuid: instanceUuid,
    });
    expect(find('delete', 'destroy')).toMatchObject({ vmId: db.moref });
    // The VM's UUIDs outlive it: a removed VM can no longer be asked, the bridge remembers them.
    expect(find('delete', 'unregister')).toMatchObject({
      vmId: web.moref,
      vcenter: { vmBiosUuid: newBios, vmInstanceUuid: instanceUuid },
    });
  });
});
