/**
 * The three-node cluster of scripts/kafka-cluster.sh, for the `*:cluster` test projects: its brokers, node faults
 * (SIGKILL, restart), who leads what, and reading a topic back to check what the producer reported.
 * scripts/test.sh starts the cluster and sets KAFKA_CLUSTER_BROKERS; test/cluster-setup.ts checks it answers.
 */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';

const execFileAsync = promisify(execFile);
const CLUSTER_SH = fileURLToPath(new URL('../scripts/kafka-cluster.sh', import.meta.url));
const KAFKA_SH = fileURLToPath(new URL('../scripts/kafka.sh', import.meta.url));

/** The cluster's client addresses (node N is the N-th). */
export const CLUSTER_BROKERS = (
  process.env.KAFKA_CLUSTER_BROKERS ?? '127.0.0.1:9220,127.0.0.1:9230,127.0.0.1:9240'
)
  .split(',')
  .filter(Boolean);

export function clusterClient(): Kafka {
  return new Kafka({
    clientId: `cluster-test-${randomUUID().slice(0, 8)}`,
    brokers: CLUSTER_BROKERS,
    logLevel: logLevel.NOTHING,
  });
}

/** Runs `scripts/kafka-cluster.sh <args>` (kill N, restart N, …). */
export async function clusterSh(...args: string[]): Promise<void> {
  // The script finds the nodes from node 1's port: the cluster KAFKA_CLUSTER_BROKERS names.
  const env = { ...process.env, KAFKA_CLUSTER_PORT: CLUSTER_BROKERS[0]?.split(':')[1] ?? '' };
  await execFileAsync('bash', [CLUSTER_SH, ...args], { env, timeout: 180_000 });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 200 ms until it returns true; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Creates a topic with replication factor 3 (min.insync.replicas=2 is the cluster's default) and waits until every
 * partition has a leader and all three replicas in sync.
 */
export async function createClusterTopic(admin: Admin, partitions: number): Promise<string> {
  const topic = `cluster-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] });
  await waitForFullIsr(admin, topic, partitions);
  return topic;
}

/** Waits until each partition of the topic has a leader and three in-sync replicas (after a restart, say). */
export async function waitForFullIsr(
  admin: Admin,
  topic: string,
  partitions: number,
  timeoutMs = 90_000,
): Promise<void> {
  await until(
    `${topic}: every partition led, with 3 in-sync replicas`,
    async () => {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const parts = meta.topics[0]?.partitions ?? [];
      return parts.length === partitions && parts.every((p) => p.leader >= 0 && p.isr.length === 3);
    },
    timeoutMs,
  );
}

/** Node id → number of the topic's partitions it leads. Node ids are the nodes' numbers (1–3). */
export async function leaderCounts(admin: Admin, topic: string): Promise<Map<number, number>> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  const counts = new Map<number, number>();
  for (const p of meta.topics[0]?.partitions ?? []) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  return counts;
}

/** The node that leads the most partitions of the topic (the one whose crash moves the most leaders). */
export async function busiestLeader(admin: Admin, topic: string): Promise<number> {
  const counts = [...(await leaderCounts(admin, topic)).entries()].sort((a, b) => b[1] - a[1]);
  const node = counts[0]?.[0];
  if (node === undefined || node < 1) throw new Error(`${topic} has no leader`);
  return node;
}

/**
 * The node that coordinates the consumer group, as the Java tool reports it (kafkajs has no public FindCoordinator
 * call): `ConsumerGroupCommand --describe --state` prints the coordinator as `host:port (id)`.
 */
export async function groupCoordinator(groupId: string): Promise<number> {
  const { stdout } = await execFileAsync(
    'bash',
    [
      KAFKA_SH,
      'tool',
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      '--bootstrap-server',
      CLUSTER_BROKERS.join(','),
      '--describe',
      '--state',
      '--group',
      groupId,
    ],
    { env: { ...process.env, KAFKA_PORT: CLUSTER_BROKERS[0]!.split(':')[1] }, timeout: 60_000 },
  );
  const match = /:\d+\s+\((\d+)\)/.exec(stdout);
  if (match === null) throw new Error(`no coordinator in the group description of ${groupId}: ${stdout}`);
  return Number(match[1]);
}

/** One record read back: where it is, and the event id its headers carry (`ce_id`). */
export interface StoredRecord {
  partition: number;
  offset: string;
  eventId: string | undefined;
}

/**
 * Reads every record of the topic, from the low to the high watermark of each partition at the time of the call,
 * and returns them keyed by `<partition>/<offset>`.
 */
export async function readTopic(
  admin: Admin,
  topic: string,
  timeoutMs = 60_000,
): Promise<Map<string, StoredRecord>> {
  const ends = await admin.fetchTopicOffsets(topic);
  const expected = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const consumer = clusterClient().consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const stored = new Map<string, StoredRecord>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const id = message.headers?.ce_id;
        stored.set(`${partition}/${message.offset}`, {
          partition,
          offset: message.offset,
          eventId: id === undefined ? undefined : String(Array.isArray(id) ? id[0] : id),
        });
        return Promise.resolve();
      },
    });
    await until(
      `reading ${expected} records of ${topic}`,
      () => Promise.resolve(stored.size >= expected),
      timeoutMs,
    );
  } finally {
    await consumer.disconnect();
  }
  return stored;
}
