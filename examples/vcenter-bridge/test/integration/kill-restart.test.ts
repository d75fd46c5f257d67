/**
 * At least once across a crash: the bridge runs as a child process (tsx src/main.ts), is killed with
 * SIGKILL in the middle of a burst of VM operations, and restarted. Every mapped vCenter event must
 * then be in Kafka, and every replayed copy must carry the same eventId as the first.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveEventId } from '@org/vmware-events-schema';
import { describe, expect, it, onTestFinished } from 'vitest';
import { operationOf } from '../../src/mapping.js';
import {
  BROKERS,
  collect,
  freshTopics,
  readHistory,
  startBridgeProcess,
  startVcsim,
  waitUntil,
} from './helpers.js';
import type { ReadRecord } from './helpers.js';

const keyOf = (r: ReadRecord) =>
  (r.value.operationInfo as { vcenter: { eventKey: number } }).vcenter.eventKey;

describe('vcenter-bridge crash and restart', () => {
  it('loses nothing when killed with SIGKILL mid-burst, and replays with the same event ids', async () => {
    const sim = await startVcsim();
    const [topic, rawTopic] = await freshTopics('bridge-kill', 'bridge-kill-raw');
    const checkpointDir = await mkdtemp(join(tmpdir(), 'bridge-kill-'));
    onTestFinished(() => rm(checkpointDir, { recursive: true, force: true }));
    const env = {
      VCENTER_URLS: sim.url,
      VCENTER_INSECURE: 'true',
      KAFKA_BROKERS: BROKERS.join(','),
      BRIDGE_ENVIRONMENT: 'DEV',
      BRIDGE_TENANT_ID: 'tenantA',
      BRIDGE_TOPIC: topic!,
      BRIDGE_RAW_TOPIC: rawTopic!,
      BRIDGE_CHECKPOINT_DIR: checkpointDir,
      BRIDGE_START_FROM: 'beginning',
      BRIDGE_HEALTH_PORT: '0',
      // small pages and batches: many checkpoints, so the kill lands between a send and its checkpoint
      BRIDGE_PAGE_SIZE: '4',
      BRIDGE_BATCH_SIZE: '4',
      BRIDGE_POLL_INTERVAL_MS: '50',
      BRIDGE_LOG_LEVEL: 'debug',
    };
    const reader = await collect([topic!]);
    const first = startBridgeProcess(env);

    let burstDone = false;
    const burst = (async () => {
      for (let i = 0; i < 12; i++) {
        const name = `burst-${i}`;
        await sim.govc('vm.create', '-host', 'DC0_H0', '-net', 'VM Network', '-c', '1', '-m', '512', name);
        await sim.govc('vm.power', '-off', name);
        await sim.govc('vm.change', '-vm', name, '-c', '2');
        await sim.govc('vm.destroy', name);
      }
      burstDone = true;
    })();

    // Kill once the bridge has published some of the burst, while the burst still runs.
    await waitUntil(
      () =>
        reader.records.some((r) =>
          (r.value.operationInfo as { vmName?: string }).vmName?.startsWith('burst-'),
        ) && reader.records.length >= 12,
      30_000,
      'the bridge to publish part of the burst',
    );
    expect(burstDone).toBe(false);
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    const atKill = reader.records.length;
    await burst;
    expect((await readdir(checkpointDir)).some((f) => f.endsWith('.json'))).toBe(true);

    const truth = await readHistory(sim);
    const expectedKeys = truth.events.filter((e) => operationOf(e) !== undefined).map((e) => e.key);
    expect(expectedKeys.length).toBeGreaterThan(48);

    const second = startBridgeProcess(env);
    await waitUntil(
      () => {
        const have = new Set(reader.records.map(keyOf));
        return expectedKeys.every((k) => have.has(k));
      },
      45_000,
      `every mapped event after restart (output: ${second.output().slice(-2000)})`,
    ).catch((error) => {
      const have = new Set(reader.records.map(keyOf));
      throw new Error(
        `${(error as Error).message}; missing keys ${expectedKeys.filter((k) => !have.has(k)).join(',')}`,
      );
    });
    expect(reader.records.length).toBeGreaterThan(atKill);

    // Same key → same id, and the id is the documented derivation; nothing published that vCenter did not emit.
    const idsByKey = new Map<number, Set<string>>();
    for (const r of reader.records) {
      const key = keyOf(r);
      const id = r.value.eventId as string;
      expect(id).toBe(deriveEventId('vcenter', truth.instanceUuid, key));
      expect(r.headers.eventId).toBe(id);
      idsByKey.set(key, (idsByKey.get(key) ?? new Set()).add(id));
    }
    for (const ids of idsByKey.values()) expect(ids.size).toBe(1);
    expect([...idsByKey.keys()].sort((a, b) => a - b)).toEqual([...expectedKeys].sort((a, b) => a - b));
    expect(second.output()).toContain('resuming from checkpoint');
  }, 120_000);
});
