/**
 * The bridge's checkpoint on a replicated cluster: it may only cover events Kafka acknowledged. While vCenter (the
 * simulator) emits a burst of VM operations, the broker that leads the most partitions of the bridge's topics is
 * SIGKILLed; when it is back, the bridge itself is SIGKILLed. Every event its checkpoint covers must then be in
 * Kafka (canonical or raw topic) before anything else runs; a second bridge then catches up with the rest.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveEventId } from '@org/vmware-events-schema';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CLUSTER_BROKERS,
  busiestLeader,
  clusterClient,
  clusterSh,
  waitForFullIsr,
} from '../../../../test/cluster.js';
import {
  collect,
  freshTopicsOn,
  readHistory,
  startBridgeProcess,
  startVcsim,
  waitUntil,
} from '../integration/helpers.js';
import type { ReadRecord } from '../integration/helpers.js';

const idOf = (r: ReadRecord) => (r.value.eventId ?? r.value.id) as string;

async function readCheckpointKey(dir: string): Promise<number | undefined> {
  const file = (await readdir(dir)).find((f) => f.startsWith('checkpoint-') && f.endsWith('.json'));
  if (file === undefined) return undefined;
  return (JSON.parse(await readFile(join(dir, file), 'utf8')) as { lastEventKey: number }).lastEventKey;
}

describe('vcenter-bridge on the three-node cluster', () => {
  it('never checkpoints past an event Kafka did not acknowledge when the busiest leader dies', async () => {
    const admin = clusterClient().admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    const sim = await startVcsim();
    const [topic, rawTopic] = await freshTopicsOn(CLUSTER_BROKERS, 'bridge-crash', 'bridge-crash-raw');
    await waitForFullIsr(admin, topic!, 3);
    await waitForFullIsr(admin, rawTopic!, 3);
    const checkpointDir = await mkdtemp(join(tmpdir(), 'bridge-cluster-'));
    onTestFinished(() => rm(checkpointDir, { recursive: true, force: true }));
    const env = {
      VCENTER_URLS: sim.url,
      VCENTER_INSECURE: 'true',
      KAFKA_BROKERS: CLUSTER_BROKERS.join(','),
      BRIDGE_ENVIRONMENT: 'DEV',
      BRIDGE_TENANT_ID: 'tenantA',
      BRIDGE_TOPIC: topic!,
      BRIDGE_RAW_TOPIC: rawTopic!,
      BRIDGE_CHECKPOINT_DIR: checkpointDir,
      BRIDGE_START_FROM: 'beginning',
      BRIDGE_HEALTH_PORT: '0',
      BRIDGE_PAGE_SIZE: '4',
      BRIDGE_BATCH_SIZE: '4',
      BRIDGE_POLL_INTERVAL_MS: '50',
    };
    const reader = await collect([topic!, rawTopic!], CLUSTER_BROKERS);
    const first = startBridgeProcess(env);

    let burstDone = false;
    const burst = (async () => {
      for (let i = 0; i < 60; i++) {
        const name = `crash-${i}`;
        await sim.govc('vm.create', '-host', 'DC0_H0', '-net', 'VM Network', '-c', '1', '-m', '512', name);
        await sim.govc('vm.power', '-off', name);
        await sim.govc('vm.change', '-vm', name, '-c', '2');
        await sim.govc('vm.destroy', name);
      }
      burstDone = true;
    })();

    await waitUntil(() => reader.records.length >= 8, 30_000, 'the bridge to publish part of the burst');
    const victim = await busiestLeader(admin, topic!);
    onTestFinished(() => clusterSh('start')); // whatever happens, the next test finds three nodes
    await clusterSh('kill', String(victim));
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await clusterSh('restart', String(victim));

    // The bridge has been retrying through the outage; crash it now, mid-burst or just after.
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    const covered = await readCheckpointKey(checkpointDir);
    expect(covered).toBeDefined();
    await burst;
    expect(burstDone).toBe(true);

    // Everything in the topics now was written by the first bridge; read all of it.
    // Right after a restart the admin's metadata can name an old leader (NOT_LEADER_OR_FOLLOWER): ask again.
    const total = async (): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await Promise.all([
            admin.fetchTopicOffsets(topic!),
            admin.fetchTopicOffsets(rawTopic!),
          ]);
          return offsets.flat().reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable !== true || attempt === 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    // A fresh reader: the one started before the crash may still be rejoining its group.
    const written = await total();
    const afterCrash = await collect([topic!, rawTopic!], CLUSTER_BROKERS);
    await waitUntil(
      () => afterCrash.records.length >= written,
      60_000,
      `reading the ${written} records written`,
    );
    const beforeRestart = new Set(afterCrash.records.map(idOf));

    const truth = await readHistory(sim);

    // A second bridge resumes from the checkpoint and publishes the rest.
    const second = startBridgeProcess(env);
    const lastKey = Math.max(...truth.events.map((e) => e.key));
    let state = '';
    await waitUntil(
      async () => {
        const [inTopics, last] = [await total(), await readCheckpointKey(checkpointDir)];
        state = `read ${afterCrash.records.length} of ${inTopics}, checkpoint ${last}, last vCenter key ${lastKey}`;
        // The bridges' own sessions add events after the history was read: at or past the burst's last key.
        return afterCrash.records.length >= inTopics && last !== undefined && last >= lastKey;
      },
      90_000,
      'the second bridge to catch up',
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${state}; bridge output: ${second.output().slice(-1500)}`);
    });
    const published = new Set(afterCrash.records.map(idOf));
    const history = await readHistory(sim);
    const keyOfId = new Map(
      history.events.map((e) => [deriveEventId('vcenter', history.instanceUuid, e.key), e.key]),
    );
    const coveredButMissing = [...published].filter(
      (id) => (keyOfId.get(id) ?? Infinity) <= covered! && !beforeRestart.has(id),
    );
    console.log(
      `bridge on the cluster: node ${victim} killed; checkpoint at the bridge's crash covered key ${covered}; ` +
        `${beforeRestart.size} events in Kafka then, ${published.size} after the restart; ` +
        `${coveredButMissing.length} covered by the checkpoint but missing`,
    );
    expect(coveredButMissing).toEqual([]);
    expect(published.size).toBeGreaterThan(240); // the burst's 4 operations × 60 VMs, and more
    // Nothing vCenter did not emit.
    expect([...published].filter((id) => !keyOfId.has(id))).toEqual([]);
  }, 240_000);
});
