/**
 * vCenter's int32 event key wrapping from 2147483647 to −2147483648, end to end: the simulator (its keys renumbered
 * by a proxy, see key-shift-proxy.ts) → the bridge, stopped and resumed from a checkpoint on the far side of the
 * wrap → the real broker → SDK consumers with the memory store and the Redis store. Every vCenter event must reach
 * Kafka (canonical or raw) and every canonical event must be handled, none dropped as stale or dead-lettered.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createConsumer, createMemoryEventStore, createRedisEventStore } from '@org/vmware-events-consumer';
import type { EventStore } from '@org/vmware-events-consumer';
import { CURRENT_SCHEMA_VERSION } from '@org/vmware-events-schema';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBridge } from '../../src/bridge.js';
import type { Bridge } from '../../src/bridge.js';
import { parseConfig } from '../../src/config.js';
import { BROKERS, collect, freshTopics, readHistory, startVcsim, waitUntil } from './helpers.js';
import type { ReadRecord } from './helpers.js';
import { startKeyShiftProxy } from './key-shift-proxy.js';

const MAX = 2 ** 31 - 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The vCenter key a published record carries (canonical: vcenter.eventKey; raw: the event's Key). */
function keyOf(r: ReadRecord): number {
  const info = r.value.operationInfo as { vcenter?: { eventKey: number } } | undefined;
  if (info?.vcenter) return info.vcenter.eventKey;
  return Number((r.value.data as { Key: string }).Key);
}

describe('vCenter event keys wrapping past 2^31 − 1', () => {
  it('go through the bridge (with a resume across the wrap), Kafka and the consumers without a loss', async () => {
    const sim = await startVcsim();
    const atStart = (await readHistory(sim)).events.length;
    // vcsim key k is reported as shift(k): the wrap comes a few events into the test, and the keys after the first
    // bridge stopped jump ahead by 2^30 + 7 (as if a billion events of other VMs had happened meanwhile; 31-bit serial
    // arithmetic calls such a key older than the VM's last one).
    const wrapAt = atStart + 6;
    let jumpAfter = Number.MAX_SAFE_INTEGER;
    const shift = (k: number) => (MAX - wrapAt + k + (k > jumpAfter ? 2 ** 30 + 7 : 0)) | 0;
    const proxy = await startKeyShiftProxy(sim.url, shift);

    const [topic, rawTopic] = await freshTopics('bridge-wrap', 'bridge-wrap-raw');
    await deadLetterTopicFor(topic!);
    const checkpointDir = await mkdtemp(join(tmpdir(), 'bridge-wrap-'));
    onTestFinished(() => rm(checkpointDir, { recursive: true, force: true }));
    const config = parseConfig({
      VCENTER_URLS: proxy.url,
      KAFKA_BROKERS: BROKERS.join(','),
      BRIDGE_ENVIRONMENT: 'DEV',
      BRIDGE_TENANT_ID: 'tenantA',
      BRIDGE_TOPIC: topic,
      BRIDGE_RAW_TOPIC: rawTopic,
      BRIDGE_CHECKPOINT_DIR: checkpointDir,
      BRIDGE_START_FROM: 'beginning',
      BRIDGE_HEALTH_PORT: '0',
      BRIDGE_POLL_INTERVAL_MS: '50',
      BRIDGE_PAGE_SIZE: '5',
      BRIDGE_BATCH_SIZE: '3',
    });
    const startBridge = async (): Promise<Bridge> => {
      const bridge = createBridge(config);
      onTestFinished(() => bridge.stop());
      await bridge.start();
      return bridge;
    };
    const reader = await collect([topic!, rawTopic!]);
    const handled = { memory: new Map<string, number>(), redis: new Map<string, number>() };
    const consumers = {
      memory: await startSdkConsumer(topic!, createMemoryEventStore(), handled.memory),
      redis: await startSdkConsumer(
        topic!,
        await createRedisEventStore({ url: REDIS_URL }, { prefix: `test-${randomUUID()}:` }),
        handled.redis,
      ),
    };
    const onVm = (name: string, operation: string) => (rs: ReadRecord[]) =>
      rs.some((r) => {
        const info = r.value.operationInfo as { vmName?: string; operation?: string } | undefined;
        return r.topic === topic && info?.vmName === name && info.operation === operation;
      });

    const first = await startBridge();
    await sim.govc('vm.create', '-host', 'DC0_H0', '-net', 'VM Network', '-on=false', 'wrap-a');
    await sim.govc('vm.power', '-on', 'wrap-a');
    await sim.govc('vm.create', '-host', 'DC0_H0', '-net', 'VM Network', '-on=false', 'wrap-b');
    await reader.waitFor(onVm('wrap-b', 'create'));
    await first.stop(); // the checkpoint now holds a negative key
    expect(first.stats()[proxy.endpoint]!.lastPublishedKey).toBeLessThan(0);
    jumpAfter = Math.max(...(await readHistory(sim)).events.map((e) => e.key));

    await sim.govc('vm.change', '-vm', 'wrap-a', '-c', '2', '-m', '1024');
    await sim.govc('vm.power', '-off', 'wrap-a');
    await sim.govc('vm.destroy', 'wrap-a');
    await sim.govc('vm.power', '-on', 'wrap-b');
    const second = await startBridge();
    await reader.waitFor(onVm('wrap-a', 'delete'));
    await reader.waitFor(onVm('wrap-b', 'power_on'));

    // Nothing lost: every event of vCenter's history is in Kafka under its reported key.
    const truth = (await readHistory(sim)).events.map((e) => shift(e.key));
    await reader.waitFor((rs) => {
      const seen = new Set(rs.map(keyOf));
      return truth.every((k) => seen.has(k));
    });
    expect(truth.some((k) => k > 2 ** 31 - 20)).toBe(true); // keys just below the wrap …
    expect(truth.some((k) => k < 0)).toBe(true); // … and after it
    expect(truth.some((k) => k > 0 && k < 2 ** 30)).toBe(false); // vcsim's own small keys never show through
    const keysOfA = canonicalOf(reader.records, topic!, 'wrap-a').map(keyOf);
    expect(keysOfA.at(-1)! - keysOfA[1]!).toBeGreaterThan(2 ** 30); // power_on → delete: the jump
    expect(second.stats()[proxy.endpoint]!.skippedReplay).toBeGreaterThanOrEqual(1); // the resume skipped its replay

    const canonical = reader.records.filter((r) => r.topic === topic);
    const ids = new Set(canonical.map((r) => (r.value as { eventId: string }).eventId));
    for (const r of canonical) expect(r.value.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    const wrapA = canonicalOf(canonical, topic!, 'wrap-a').map(
      (r) => (r.value.operationInfo as { operation: string }).operation,
    );
    // The resize is published as `update` (documented rule): wrap-a was destroyed before the resumed bridge could
    // read its hardware.
    expect(wrapA).toEqual(['create', 'power_on', 'update', 'power_off', 'delete']);

    // Every canonical event handled once by both consumers; nothing stale, nothing dead-lettered.
    for (const [name, consumer] of Object.entries(consumers)) {
      const seen = handled[name as keyof typeof handled];
      const settled = () => {
        const m = consumer.metrics();
        return seen.size + m.stale + m.deadLettered >= ids.size;
      };
      await waitUntil(settled, 30_000, `${name} consumer settled ${ids.size} events`);
      expect([...seen.keys()].sort(), name).toEqual([...ids].sort());
      expect(consumer.metrics(), name).toMatchObject({ stale: 0, deadLettered: 0 });
    }
  });
});

function canonicalOf(records: ReadRecord[], topic: string, vmName: string): ReadRecord[] {
  return records.filter(
    (r) => r.topic === topic && (r.value.operationInfo as { vmName?: string }).vmName === vmName,
  );
}

/** An SDK consumer from the beginning of `topic` that records each handled event's vCenter key by id. */
async function startSdkConsumer(topic: string, store: EventStore, handled: Map<string, number>) {
  const consumer = createConsumer<VmOperationEvent>({
    kafka: { brokers: BROKERS, clientId: 'bridge-wrap-it', logLevel: logLevel.NOTHING },
    groupId: `test-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    store,
    handler: ({ event }) => {
      handled.set(event.eventId, event.operationInfo.vcenter!.eventKey);
    },
  });
  onTestFinished(() => consumer.close());
  await consumer.start();
  return consumer;
}

/** The consumer's dead-letter topic (`<topic>.dlq`) must exist; deleted when the test ends. */
async function deadLetterTopicFor(topic: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'bridge-test-admin', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${topic}.dlq`, numPartitions: 1 }], waitForLeaders: true });
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [`${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  });
}
