/**
 * Resilience against the real simulator and broker: Kafka unavailable (reads stop, nothing dropped, no
 * checkpoint before the acknowledgement), a different vCenter instance behind the same URL, and TLS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBridge } from '../../src/bridge.js';
import { FileCheckpointStore } from '../../src/checkpoint.js';
import { parseConfig } from '../../src/config.js';
import type { LogFields, Logger } from '../../src/logger.js';
import { createKafkaSink } from '../../src/sink.js';
import type { EventSink } from '../../src/sink.js';
import { BROKERS, collect, freshTopics, startVcsim, waitUntil } from './helpers.js';
import type { Vcsim } from './helpers.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-res-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function env(sim: Vcsim, topic: string, raw: string, dir: string, extra: Record<string, string> = {}) {
  return parseConfig({
    VCENTER_URLS: sim.url,
    VCENTER_INSECURE: 'true',
    KAFKA_BROKERS: BROKERS.join(','),
    BRIDGE_ENVIRONMENT: 'DEV',
    BRIDGE_TENANT_ID: 'tenantA',
    BRIDGE_TOPIC: topic,
    BRIDGE_RAW_TOPIC: raw,
    BRIDGE_CHECKPOINT_DIR: dir,
    BRIDGE_HEALTH_PORT: '0',
    BRIDGE_POLL_INTERVAL_MS: '50',
    ...extra,
  });
}

function memoryLogger(): Logger & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) =>
    lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('vcenter-bridge resilience', () => {
  it('stops reading while Kafka refuses, checkpoints nothing unacknowledged, then publishes everything', async () => {
    const sim = await startVcsim();
    const [topic, raw] = await freshTopics('bridge-down', 'bridge-down-raw');
    const dir = await tempDir();
    const config = env(sim, topic!, raw!, dir, {
      BRIDGE_START_FROM: 'beginning',
      BRIDGE_BUFFER_SIZE: '5',
      BRIDGE_BATCH_SIZE: '3',
      BRIDGE_PAGE_SIZE: '2',
    });
    // The real Kafka sink behind a switch: while `down`, every send fails as if the broker were unreachable.
    const real = createKafkaSink({
      brokers: config.kafka.brokers,
      clientId: 'bridge-down',
      topic: config.topic,
      rawTopic: config.rawTopic,
    });
    let down = true;
    let failures = 0;
    const sink: EventSink = {
      connect: () => real.connect(),
      disconnect: () => real.disconnect(),
      publish: (records) => {
        if (down) {
          failures++;
          return Promise.reject(new Error('broker unavailable (test switch)'));
        }
        return real.publish(records);
      },
    };
    const bridge = createBridge(config, { sink });
    onTestFinished(() => bridge.stop());
    await bridge.start();
    const stats = () => bridge.stats()[sim.endpoint]!;
    await waitUntil(() => failures >= 3, 20_000, 'failed sends');
    // Reads stop at the bound: buffer (5) + one batch in flight (3).
    await new Promise((r) => setTimeout(r, 500)); // let the reader run into the bound (a fixed wait for a negative check)
    expect(stats().read).toBeLessThanOrEqual(8);
    expect(stats().pending).toBe(stats().read);
    expect(stats().kafkaConnected).toBe(false);
    expect(await new FileCheckpointStore(dir).load(sim.endpoint)).toBeUndefined();
    const health = await fetch(bridge.healthUrl!);
    expect(health.status).toBe(503);

    down = false;
    const reader = await collect([topic!, raw!]);
    await sim.govc('vm.power', '-off', 'DC0_H0_VM0');
    await waitUntil(
      () =>
        stats().pending === 0 &&
        reader.records.some(
          (r) =>
            r.value.operationInfo !== undefined &&
            (r.value.operationInfo as { operation: string }).operation === 'power_off',
        ),
      30_000,
      'catch-up',
    );
    // Every vCenter event read was published: canonical + raw = read (none ignored, none lost).
    const s = stats();
    expect(s.published + s.publishedRaw).toBe(s.read);
    await waitUntil(() => reader.records.length >= s.read, 15_000, 'all records visible');
    const checkpoint = await new FileCheckpointStore(dir).load(sim.endpoint);
    expect(checkpoint?.lastEventKey).toBeGreaterThan(0);
    const keys = new Set(
      reader.records.map(
        (r) =>
          (r.value.operationInfo as { vcenter?: { eventKey: number } } | undefined)?.vcenter?.eventKey ??
          Number((r.value.data as { Key: string }).Key),
      ),
    );
    expect(keys.size).toBe(s.read);
  });

  it('survives a vCenter restart: reconnects, and publishes the restarted history whose keys start over', async () => {
    const first = await startVcsim();
    const [topic, raw] = await freshTopics('bridge-restart', 'bridge-restart-raw');
    const dir = await tempDir();
    const logger = memoryLogger();
    const bridge = createBridge(env(first, topic!, raw!, dir, { BRIDGE_START_FROM: 'beginning' }), {
      logger,
    });
    onTestFinished(() => bridge.stop());
    await bridge.start();
    const stats = () => bridge.stats()[first.endpoint]!;
    await waitUntil(
      () => stats().lastPublishedKey !== undefined && stats().pending === 0 && stats().read > 30,
      20_000,
      'first life published',
    );
    const keyBefore = stats().lastPublishedKey!;

    // Restart: the simulator comes back on the same port with the same instanceUuid and a new history (keys from 1).
    await first.stop();
    const restartedAt = Date.now();
    const second = await startVcsim(first.port);
    const reader = await collect([topic!]);
    await second.govc('vm.power', '-off', 'DC0_H0_VM0');
    const records = await reader.waitFor(
      (rs) =>
        rs.some((r) => {
          const info = r.value.operationInfo as {
            operation: string;
            vmName?: string;
            vcenter: { createdTime: string };
          };
          return (
            info.operation === 'power_off' &&
            info.vmName === 'DC0_H0_VM0' &&
            Date.parse(info.vcenter.createdTime) > restartedAt
          );
        }),
      30_000,
    );
    expect(stats().historyResets).toBe(1);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('keys restarted'))).toBe(true);
    // The second life's start-up events (keys below the first life's last key) were published, not skipped as replays.
    const secondLife = records.filter(
      (r) =>
        Date.parse((r.value.operationInfo as { vcenter: { createdTime: string } }).vcenter.createdTime) >
        restartedAt,
    );
    expect(
      secondLife.some(
        (r) => (r.value.operationInfo as { vcenter: { eventKey: number } }).vcenter.eventKey < keyBefore,
      ),
    ).toBe(true);
  });

  it('detects that the checkpoint belongs to a different vCenter instance and starts fresh for it', async () => {
    const sim = await startVcsim();
    const [topic, raw] = await freshTopics('bridge-instance', 'bridge-instance-raw');
    const dir = await tempDir();
    const store = new FileCheckpointStore(dir);
    // A checkpoint written for another vCenter that used to answer at this URL, far ahead in keys and time.
    await store.save(sim.endpoint, {
      instanceUuid: 'another-vcenter-instance',
      lastEventKey: 999_999,
      lastCreatedTime: '2999-01-01T00:00:00Z',
    });
    const logger = memoryLogger();
    const bridge = createBridge(env(sim, topic!, raw!, dir, { BRIDGE_START_FROM: 'beginning' }), { logger });
    onTestFinished(() => bridge.stop());
    const reader = await collect([topic!]);
    await bridge.start();
    // The simulator's start-up power-ons (keys far below 999999) are published.
    await reader.waitFor(
      (rs) =>
        rs.filter((r) => (r.value.operationInfo as { operation: string }).operation === 'power_on').length >=
        4,
      20_000,
    );
    const warning = logger.lines.find((l) => l.message.includes('different vCenter instance'));
    expect(warning?.fields).toMatchObject({ checkpointInstanceUuid: 'another-vcenter-instance' });
    const uuid = bridge.stats()[sim.endpoint]!.instanceUuid!;
    await waitUntil(
      async () => (await store.load(sim.endpoint))?.instanceUuid === uuid,
      10_000,
      'checkpoint rewritten for the new instance',
    );
  });

  it('refuses the simulator self-signed certificate unless VCENTER_INSECURE is set, without logging secrets', async () => {
    const sim = await startVcsim();
    const [topic, raw] = await freshTopics('bridge-tls', 'bridge-tls-raw');
    const logger = memoryLogger();
    const config = env(sim, topic!, raw!, await tempDir(), { VCENTER_INSECURE: 'false' });
    const bridge = createBridge(config, { logger });
    onTestFinished(() => bridge.stop());
    await bridge.start();
    await waitUntil(
      () => logger.lines.some((l) => l.level === 'warn' && /certificate/i.test(String(l.fields?.error))),
      15_000,
      'a TLS error',
    );
    expect(bridge.stats()[sim.endpoint]!.vcenterConnected).toBe(false);
    expect(bridge.stats()[sim.endpoint]!.errors).toBeGreaterThan(0);
    expect(JSON.stringify(logger.lines)).not.toMatch(/pass@|"pass"/);
  });
});
