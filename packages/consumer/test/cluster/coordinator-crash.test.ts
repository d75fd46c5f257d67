/**
 * The consumer when its group coordinator dies (three-node cluster). Events stream in; once the consumer is
 * handling them, the broker that coordinates its group is SIGKILLed and restarted 8 s later. The consumer must say
 * what happens (failed commits, a client restart, rejoins), commit again within a bounded time, and handle every
 * acknowledged event, each once. docs/reliability.md gives the figures of these runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createProducer } from '@org/vmware-events-producer';
import type { VmOperationEventInput } from '@org/vmware-events-producer';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import {
  CLUSTER_BROKERS,
  clusterClient,
  clusterSh,
  groupCoordinator,
  until,
  waitForFullIsr,
} from '../../../../test/cluster.js';
import { createConsumer } from '../../src/index.js';

const FIGURES = fileURLToPath(
  new URL('../../../../.tmp/reliability/coordinator-crash.json', import.meta.url),
);

function event(vm: number): VmOperationEventInput {
  return {
    eventId: randomUUID(),
    operationInfo: {
      operation: 'power_on',
      vmId: `vm-${vm}`,
      username: 'alice@example.com',
      environment: 'DEV',
      tenantId: 'tenantA',
    },
  };
}

describe('SIGKILL of the group coordinator while consuming (three-node cluster)', () => {
  it('reports the failed commits, commits again within a bounded time, and handles every event once', async () => {
    const admin = clusterClient().admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    const topic = `cluster-${randomUUID()}`;
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 6, replicationFactor: 3 },
        { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 3 },
      ],
    });
    await waitForFullIsr(admin, topic, 6);

    const producer = createProducer({
      brokers: CLUSTER_BROKERS,
      source: 'urn:vmware-events:test:cluster',
      topic: { name: topic },
      lingerMs: 2,
    });
    await producer.connect();
    onTestFinished(() => producer.disconnect());

    const calls = new Map<string, number>();
    const groupId = `cluster-${randomUUID()}`;
    const consumer = createConsumer({
      kafka: { brokers: CLUSTER_BROKERS, clientId: 'coordinator-crash' },
      groupId,
      topics: [topic],
      fromBeginning: true,
      commitIntervalMs: 200,
      handler: ({ event: e }: { event: VmOperationEvent }) => {
        calls.set(e.eventId, (calls.get(e.eventId) ?? 0) + 1);
        return Promise.resolve();
      },
    });
    const commits: number[] = [];
    let commitFailedEvents = 0;
    let clientRestarts = 0;
    let rejoins = 0;
    consumer.on('consumer:commit', () => commits.push(Date.now()));
    let firstFailureAt: number | undefined;
    consumer.on('consumer:commit-failed', () => {
      commitFailedEvents += 1;
      firstFailureAt ??= Date.now();
    });
    consumer.on('consumer:client-restart', () => (clientRestarts += 1));
    consumer.on('consumer:group-join', () => (rejoins += 1));
    await consumer.start();
    onTestFinished(() => consumer.close());

    // About 500 events a second, in awaited batches of 100, for the whole run.
    const acknowledged = new Set<string>();
    let producing = true;
    let publishFailures = 0;
    let lastPublishError: unknown;
    const stream = (async () => {
      for (let tick = 0; producing; tick++) {
        const events = Array.from({ length: 100 }, (_, i) => event((tick * 100 + i) % 40));
        try {
          for (const r of await producer.publishBatch(events)) acknowledged.add(r.eventId);
        } catch (error) {
          publishFailures += 1; // a batch the brokers did not acknowledge: not counted as sent
          lastPublishError = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    await until('the consumer handling events', () => Promise.resolve(calls.size >= 1000), 60_000).catch(
      (error: Error) => {
        throw new Error(
          `${error.message} (acknowledged ${acknowledged.size}, handled ${calls.size}, last publish error: ${String(lastPublishError)})`,
        );
      },
    );
    const coordinator = await groupCoordinator(groupId);
    onTestFinished(() => clusterSh('start')); // whatever happens, the next test finds three nodes
    const killedAt = Date.now();
    await clusterSh('kill', String(coordinator));
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await clusterSh('restart', String(coordinator));
    // Recovered: a commit succeeded after the first failure the kill caused (a commit already on its way when the
    // node died can still succeed, so "the first commit after the kill" would measure nothing).
    const recoveredAt = () => commits.find((t) => t > (firstFailureAt ?? killedAt));
    await until('a commit after the kill', () => Promise.resolve(recoveredAt() !== undefined), 90_000);
    const recoveryMs = recoveredAt()! - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    producing = false;
    await stream;
    await until(
      'every acknowledged event handled',
      () => Promise.resolve([...acknowledged].every((id) => calls.has(id))),
      90_000,
    );

    const handledTwice = [...calls.values()].filter((n) => n > 1).length;
    const metrics = consumer.metrics();
    const figures = {
      acknowledged: acknowledged.size,
      publishFailures,
      handled: calls.size,
      handledTwice,
      killedCoordinator: coordinator,
      firstCommitAfterKillMs: recoveryMs,
      firstFailureAfterKillMs: firstFailureAt === undefined ? null : firstFailureAt - killedAt,
      commitFailures: metrics.commitFailures,
      clientRestarts: metrics.clientRestarts,
      groupJoins: rejoins,
    };
    mkdirSync(fileURLToPath(new URL('.', `file://${FIGURES}`)), { recursive: true });
    writeFileSync(FIGURES, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`coordinator crash: ${JSON.stringify(figures)}`);

    expect(acknowledged.size).toBeGreaterThan(3000);
    expect([...acknowledged].filter((id) => !calls.has(id))).toEqual([]); // nothing acknowledged is lost
    expect(handledTwice).toBe(0); // re-read records are skipped by the dedup store
    expect(recoveryMs).toBeLessThan(60_000); // commits resume within a bounded time
    // What the consumer said matches what it counted.
    expect(metrics.commitFailures).toBe(commitFailedEvents);
    expect(metrics.clientRestarts).toBe(clientRestarts);
  });
});
