/**
 * End to end against the real simulator (govmomi vcsim) and the real broker: VM operations with govc,
 * then the exact canonical events in Kafka (topic, key, headers, value).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CURRENT_SCHEMA_VERSION,
  buildEventHeaders,
  deriveEventId,
  validateVmOperationEvent,
} from '@org/vmware-events-schema';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBridge } from '../../src/bridge.js';
import { parseConfig } from '../../src/config.js';
import { BROKERS, collect, freshTopics, readHistory, startVcsim, waitUntil } from './helpers.js';
import type { ReadRecord, Vcsim } from './helpers.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-it-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function bridgeEnv(
  sim: Vcsim,
  topic: string,
  rawTopic: string,
  checkpointDir: string,
  extra: Record<string, string> = {},
) {
  return {
    VCENTER_URLS: sim.url,
    VCENTER_INSECURE: 'true',
    KAFKA_BROKERS: BROKERS.join(','),
    BRIDGE_ENVIRONMENT: 'DEV',
    BRIDGE_TENANT_ID: 'tenantA',
    BRIDGE_TOPIC: topic,
    BRIDGE_RAW_TOPIC: rawTopic,
    BRIDGE_CHECKPOINT_DIR: checkpointDir,
    BRIDGE_HEALTH_PORT: '0',
    BRIDGE_POLL_INTERVAL_MS: '100',
    ...extra,
  };
}

describe('vcenter-bridge end to end (vcsim → Kafka)', () => {
  it('publishes create, power_on, resize, power_off, delete of a VM as exact canonical events', async () => {
    const sim = await startVcsim();
    const [topic, rawTopic] = await freshTopics('bridge-e2e', 'bridge-e2e-raw');
    const config = parseConfig(bridgeEnv(sim, topic!, rawTopic!, await tempDir()));
    const bridge = createBridge(config);
    onTestFinished(() => bridge.stop());
    await bridge.start();
    const reader = await collect([topic!, rawTopic!]);
    const ofVm = (ops: string[]) => (rs: ReadRecord[]) =>
      ops.every((op) =>
        rs.some(
          (r) =>
            r.topic === topic &&
            (r.value.operationInfo as { vmName?: string; operation: string }).vmName === 'e2e-vm' &&
            (r.value.operationInfo as { operation: string }).operation === op,
        ),
      );

    // Wait for each step where the event's vmData is read from the VM, so that it reflects that step.
    await sim.govc(
      'vm.create',
      '-host',
      'DC0_H0',
      '-net',
      'VM Network',
      '-on=false',
      '-c',
      '2',
      '-m',
      '2048',
      '-disk',
      '10GB',
      'e2e-vm',
    );
    await reader.waitFor(ofVm(['create']));
    await sim.govc('vm.power', '-on', 'e2e-vm');
    await sim.govc('vm.change', '-vm', 'e2e-vm', '-c', '4', '-m', '8192');
    await reader.waitFor(ofVm(['power_on', 'resize']));
    await sim.govc('vm.power', '-off', 'e2e-vm');
    await sim.govc('vm.destroy', 'e2e-vm');
    await reader.waitFor(ofVm(['power_off', 'delete']));

    const truth = await readHistory(sim);
    const vmEvents = truth.events.filter((e) => e.vm?.name === 'e2e-vm');
    const byClass = (cls: string) => {
      const found = vmEvents.filter((e) => e.eventClass === cls);
      expect(found, cls).toHaveLength(1);
      return found[0]!;
    };
    const vmId = byClass('VmCreatedEvent').vm!.moref!;
    // The VM's UUIDs, as vCenter assigned them when it created the VM.
    const vmInstanceUuid = byClass('VmInstanceUuidAssignedEvent').instanceUuidChange!.new!;
    const vmBiosUuid = byClass('VmUuidAssignedEvent').uuidChange!.new!;
    const expected = (
      cls: string,
      operation: string,
      vmData?: Record<string, number>,
      extra: Record<string, string> = {},
    ) => {
      const e = byClass(cls);
      const eventId = deriveEventId('vcenter', truth.instanceUuid, e.key);
      return {
        schemaVersion: CURRENT_SCHEMA_VERSION,
        eventId,
        source: sim.endpoint,
        correlationId: deriveEventId('vcenter-chain', truth.instanceUuid, e.chainId!),
        operationInfo: {
          operation,
          timestamp: new Date(Date.parse(e.createdTime)).toISOString(),
          vmId,
          username: 'user',
          environment: 'DEV',
          tenantId: 'tenantA',
          vmName: 'e2e-vm',
          vcenter: {
            instanceUuid: truth.instanceUuid,
            eventKey: e.key,
            eventType: cls,
            createdTime: e.createdTime,
            chainId: e.chainId,
            vmInstanceUuid,
            vmBiosUuid,
          },
          ...extra,
        },
        ...(vmData ? { vmData } : {}),
      };
    };
    const want = [
      expected('VmCreatedEvent', 'create', { cpu: 2, memoryMB: 2048, storageGB: 10 }),
      expected('VmPoweredOnEvent', 'power_on'),
      expected('VmReconfiguredEvent', 'resize', { cpu: 4, memoryMB: 8192, storageGB: 10 }),
      expected('VmPoweredOffEvent', 'power_off'),
      // The simulator logs no TaskEvent (a real vCenter's Destroy_Task), so the bridge cannot tell destroy from
      // unregister here and says so; test/integration/lifecycle.test.ts posts the task event and sees `destroy`.
      expected('VmRemovedEvent', 'delete', undefined, {
        notes:
          'removed from vCenter; whether it was deleted from disk or only unregistered is not known (no task seen)',
      }),
    ];
    const got = reader.records.filter((r) => r.topic === topic && r.key === vmId);
    // exactly these five, once each, in vCenter order (one key → one partition → ordered)
    expect(got.map((r) => r.value)).toEqual(want);
    for (const r of got) {
      expect(r.key).toBe(vmId);
      expect(r.headers).toEqual(buildEventHeaders(r.value as never));
      expect(r.headers.ce_type).toBe(
        `com.vmware.events.vm.${(r.value.operationInfo as { operation: string }).operation}.v1`,
      );
      expect(r.headers.ce_source).toBe(sim.endpoint);
      expect(validateVmOperationEvent(r.value).valid).toBe(true);
    }
    // The password from the URL is not part of anything published.
    expect(JSON.stringify(reader.records)).not.toContain('pass@');

    // Intermediate events went to the raw topic as appliance-format CloudEvents.
    const starting = byClass('VmStartingEvent');
    const raw = reader.records.find(
      (r) => r.topic === rawTopic && r.value.subject === 'VmStartingEvent' && r.key === vmId,
    );
    expect(raw?.value).toMatchObject({
      specversion: '1.0',
      id: deriveEventId('vcenter', truth.instanceUuid, starting.key),
      source: sim.endpoint,
      type: 'com.vmware.vsphere.VmStartingEvent.v0',
      time: starting.createdTime,
      data: {
        Key: String(starting.key),
        Vm: { Name: 'e2e-vm', Vm: { Type: 'VirtualMachine', Value: vmId } },
      },
    });

    // health and counters
    const health = await fetch(bridge.healthUrl!);
    expect(health.status).toBe(200);
    const body = (await health.json()) as {
      status: string;
      vcenters: Record<string, { published: number; read: number }>;
    };
    expect(body.status).toBe('ok');
    expect(body.vcenters[sim.endpoint]!.published).toBeGreaterThanOrEqual(5);
    const metrics = await (await fetch(bridge.healthUrl!.replace('/healthz', '/metrics'))).text();
    expect(metrics).toMatch(/vcenter_bridge_published_total\{vcenter="[^"]+"\} \d+/);
    expect(metrics).toMatch(/vcenter_bridge_lag_seconds\{vcenter="[^"]+"\} [\d.]+/);
  });

  it('maps a clone to the source VM (and a create for the copy) and a name change to rename', async () => {
    const sim = await startVcsim();
    const [topic, rawTopic] = await freshTopics('bridge-clone', 'bridge-clone-raw');
    const bridge = createBridge(parseConfig(bridgeEnv(sim, topic!, rawTopic!, await tempDir())));
    onTestFinished(() => bridge.stop());
    await bridge.start();
    const reader = await collect([topic!]);
    await waitUntil(() => bridge.stats()[sim.endpoint]!.vcenterConnected, 20_000, 'bridge connected');
    await sim.govc('vm.clone', '-vm', 'DC0_H0_VM0', '-host', 'DC0_H0', '-on=false', 'copy-1');
    const op = (r: ReadRecord) =>
      r.value.operationInfo as { operation: string; vmId: string; vmName?: string; notes?: string };
    await reader.waitFor((rs) => rs.some((r) => op(r).operation === 'create' && op(r).vmName === 'copy-1'));
    await sim.govc('vm.change', '-vm', 'copy-1', '-name', 'copy-renamed');
    const records = await reader.waitFor(
      (rs) => rs.some((r) => op(r).operation === 'rename') && rs.some((r) => op(r).operation === 'clone'),
    );
    const sourceId = JSON.parse(await sim.govc('vm.info', '-json', 'DC0_H0_VM0')).virtualMachines[0].self
      .value as string;
    const creates = records.filter((r) => op(r).operation === 'create');
    // The simulator logs the copy's own VmCreatedEvent as well as VmClonedEvent: still one create.
    expect(creates).toHaveLength(1);
    const create = creates[0]!;
    const copyId = op(create).vmId;
    expect(create.value.vmData).toEqual({ cpu: 1, memoryMB: 32, storageGB: 10 });
    expect(create.value.operationInfo).toMatchObject({
      detail: 'clone_target',
      relatedVm: { vmId: sourceId, vmName: 'DC0_H0_VM0' },
    });
    expect(op(records.find((r) => op(r).operation === 'clone')!)).toMatchObject({
      vmId: sourceId,
      vmName: 'DC0_H0_VM0',
      notes: `cloned to copy-1 (${copyId})`,
      relatedVm: { vmId: copyId, vmName: 'copy-1' },
    });
    expect(op(records.find((r) => op(r).operation === 'rename')!)).toMatchObject({
      vmId: copyId,
      vmName: 'copy-renamed',
      previousVmName: 'copy-1',
      notes: 'renamed from copy-1',
    });
  });

  it('logs in again after its session is terminated, and keeps publishing', async () => {
    const sim = await startVcsim();
    const [topic, rawTopic] = await freshTopics('bridge-session', 'bridge-session-raw');
    const bridge = createBridge(parseConfig(bridgeEnv(sim, topic!, rawTopic!, await tempDir())));
    onTestFinished(() => bridge.stop());
    await bridge.start();
    const reader = await collect([topic!]);
    await waitUntil(() => bridge.stats()[sim.endpoint]!.vcenterConnected, 20_000, 'bridge connected');
    // Terminate the bridge's session (vCenter's "session expired"): its next call gets NotAuthenticated.
    const sessions = JSON.parse(await sim.govc('session.ls', '-json')) as {
      sessionList: { key: string; userAgent?: string }[];
    };
    const others = sessions.sessionList.filter((s) => s.userAgent === 'vcenter-bridge').map((s) => s.key);
    expect(others.length).toBe(1);
    await sim.govc('session.rm', ...others);
    await waitUntil(
      async () => {
        const after = JSON.parse(await sim.govc('session.ls', '-json')) as {
          sessionList: { key: string; userAgent?: string }[];
        };
        return after.sessionList.some((s) => s.userAgent === 'vcenter-bridge' && !others.includes(s.key));
      },
      20_000,
      'the bridge to log in again',
    );
    await sim.govc('vm.power', '-off', 'DC0_H0_VM0');
    await reader.waitFor((rs) =>
      rs.some(
        (r) =>
          (r.value.operationInfo as { operation: string; vmName?: string }).operation === 'power_off' &&
          (r.value.operationInfo as { vmName?: string }).vmName === 'DC0_H0_VM0',
      ),
    );
  });
});
