import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { FatalHandlerError, REPLAYED_FROM_HEADER, createConsumer } from '@org/vmware-events-consumer';
import type { ConsumerOptions, VmwEventsConsumer } from '@org/vmware-events-consumer';
import { createProducer } from '@org/vmware-events-producer';
import { retryTopic } from '@org/vmware-events-schema';
import { repoRoot, runCli } from '../support/run-cli.js';
import { brokers, createAdmin, uniqueName } from './helpers.js';

vi.setConfig({ testTimeout: 120_000 }); // consumers join groups, commands start processes

const connection = ['--brokers', brokers.join(',')];

/** Topics of their own (with their dead-letter topics), deleted afterwards. */
async function createTopics(...names: string[]) {
  const { admin, cleanup } = await createAdmin();
  const topics = names.flatMap((name) => [name, `${name}.dlq`]);
  topics.forEach((t) => cleanup.add(t));
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
  });
  return admin;
}

async function startConsumer(options: Omit<ConsumerOptions, 'kafka'>): Promise<VmwEventsConsumer> {
  const consumer = createConsumer({
    kafka: { brokers, clientId: 'cli-dlq-test', logLevel: kafkajs.logLevel.NOTHING },
    fromBeginning: true,
    heartbeatIntervalMs: 1000,
    sessionTimeoutMs: 10_000,
    retry: { maxAttempts: 1 },
    ...options,
  });
  onTestFinished(() => consumer.close());
  await consumer.start();
  return consumer;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function publish(topic: string, vmId: string): Promise<string> {
  const producer = createProducer({ brokers, lingerMs: 0, source: 'urn:vmware-events:test:cli-dlq' });
  await producer.connect();
  try {
    const result = await producer.publish(
      {
        operationInfo: {
          operation: 'power_on',
          vmId,
          username: 'VSPHERE.LOCAL\\alice',
          environment: 'DEV',
          tenantId: 'tenantA',
        },
      },
      { topic },
    );
    return result.eventId;
  } finally {
    await producer.disconnect();
  }
}

interface ListedEntry {
  partition: number;
  offset: string;
  eventId: string;
  reason: string;
  original: { topic: string; consumerGroup: string };
}

const listed = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ListedEntry);

describe('vmware-events dlq as processes against the real broker', () => {
  it("replays to one group's retry topic: only that group runs the event again, the other group does not", async () => {
    const team = uniqueName('team');
    const topic = `vmware.events.${team}`;
    const billing = uniqueName('billing');
    const audit = uniqueName('audit');
    const dlq = `${topic}.dlq`;
    const retry = retryTopic(topic, billing);
    const { admin, cleanup } = await createAdmin();
    [topic, dlq, retry, `${retry}.dlq`].forEach((t) => cleanup.add(t));
    const plan = (retryGroups: string[]) =>
      JSON.stringify({
        defaults: { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
        topics: { teams: [{ name: team, raw: false, retryGroups }] },
      });
    const apply = (retryGroups: string[]) =>
      runCli(['topics', 'apply', '--file', '-', ...connection], { input: plan(retryGroups) });
    expect((await apply([])).code).toBe(0);
    const eventId = await publish(topic, 'vm-1');

    // billing gives up on the event (its downstream refuses it); audit processes it.
    const auditHandled: string[] = [];
    const auditConsumer = await startConsumer({
      groupId: audit,
      topics: [topic],
      handler: ({ event }) => void auditHandled.push(event.eventId),
    });
    const failing = await startConsumer({
      groupId: billing,
      topics: [topic],
      handler: () => {
        throw new FatalHandlerError('billing service refused the VM');
      },
    });
    await waitFor('billing dead-letters the event', () => failing.metrics().deadLettered === 1);
    await waitFor('audit processes the event', () => auditHandled.length === 1);
    await failing.close();

    const list = await runCli(['dlq', 'list', '--topic', dlq, '--group', billing, '--json', ...connection]);
    expect(list.code).toBe(0);
    expect(listed(list.stdout)).toMatchObject([
      { eventId, reason: 'HANDLER_FATAL', original: { topic, consumerGroup: billing } },
    ]);
    expect(list.stderr).toContain('1 dead-lettered record matched');
    const otherGroup = await runCli(['dlq', 'list', '--topic', dlq, '--group', audit, ...connection]);
    expect(otherGroup.stderr).toContain('0 dead-lettered records matched');

    // The retry topic does not exist yet: refused, nothing sent anywhere.
    const refused = await runCli([
      'dlq',
      'replay',
      '--topic',
      dlq,
      '--to',
      'retry',
      '--group',
      billing,
      ...connection,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `the target topic ${retry} does not exist on the cluster; nothing was replayed`,
    );
    expect(await admin.listTopics()).not.toContain(retry);

    const created = await apply([billing]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`✔ ${retry}: create with 1 partition`);
    expect(created.stdout).toContain(`✔ ${retry}.dlq: create with 1 partition`);
    const dry = await runCli([
      'dlq',
      'replay',
      '--topic',
      dlq,
      '--to',
      'retry',
      '--group',
      billing,
      '--dry-run',
      ...connection,
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(`^would replay  0@0  .*HANDLER_FATAL.*eventId=${eventId}.*  → ${retry}$`, 'm'),
    );
    expect(dry.stderr).toContain('dry run: 1 matched, 0 replayed');
    expect((await admin.fetchTopicOffsets(retry))[0]!.high).toBe('0');

    const replay = await runCli([
      'dlq',
      'replay',
      '--topic',
      dlq,
      '--to',
      'retry',
      '--group',
      billing,
      ...connection,
    ]);
    expect(replay.code).toBe(0);
    expect(replay.stderr).toContain(`1 matched, 1 replayed to ${retry}`);

    // billing, fixed, reads its retry topic next to its topic and runs the event once more; audit never sees it again.
    const billingHandled: Array<{ eventId: string; topic: string; replayedFrom: string | undefined }> = [];
    const fixed = await startConsumer({
      groupId: billing,
      topics: [topic, retry],
      handler: ({ event, record, headers }) =>
        void billingHandled.push({
          eventId: event.eventId,
          topic: record.topic,
          replayedFrom: headers[REPLAYED_FROM_HEADER],
        }),
    });
    await waitFor('billing runs the replayed event', () => billingHandled.length === 1);
    expect(billingHandled).toEqual([{ eventId, topic: retry, replayedFrom: `${dlq}/0@0` }]);
    expect(fixed.metrics().deadLettered).toBe(0);
    expect(auditConsumer.metrics()).toMatchObject({ processed: 1, duplicate: 0 });
    expect((await admin.fetchTopicOffsets(topic))[0]!.high).toBe('1'); // nothing was written back to the topic
  });

  it('replays to the original topic with filters, as JSON; the old vmware-events-dlq lists the same records', async () => {
    const topic = uniqueName('cli-dlq');
    const dlq = `${topic}.dlq`;
    const admin = await createTopics(topic);
    const group = uniqueName('group');
    const first = await publish(topic, 'vm-1');
    const second = await publish(topic, 'vm-2');
    const failing = await startConsumer({
      groupId: group,
      topics: [topic],
      handler: () => {
        throw new FatalHandlerError('refused');
      },
    });
    await waitFor('both dead-lettered', () => failing.metrics().deadLettered === 2);
    await failing.close();

    const replay = await runCli([
      'dlq',
      'replay',
      '--topic',
      dlq,
      '--event-id',
      second,
      '--json',
      ...connection,
    ]);
    expect(replay.code).toBe(0);
    const result = JSON.parse(replay.stdout) as {
      dryRun: boolean;
      matched: number;
      replayed: number;
      entries: Array<{ eventId: string; target: string }>;
    };
    expect(result).toMatchObject({
      dryRun: false,
      matched: 1,
      replayed: 1,
      entries: [{ eventId: second, target: topic }],
    });
    expect((await admin.fetchTopicOffsets(topic))[0]!.high).toBe('3'); // two events, one replayed

    const mine = await runCli(['dlq', 'list', '--topic', dlq, '--json', ...connection]);
    const theirs = await promisify(execFile)(
      join(repoRoot, 'node_modules/.bin/tsx'),
      [join(repoRoot, 'packages/consumer/src/cli.ts'), 'list', '--topic', dlq, '--json', ...connection],
      { cwd: repoRoot },
    );
    expect(listed(mine.stdout).map((e) => e.eventId)).toEqual([first, second]);
    expect(listed(theirs.stdout)).toEqual(listed(mine.stdout));
  });

  it('exits 2 for a dead-letter topic that does not exist and for bad usage, 3 when no broker answers', async () => {
    const missing = `${uniqueName('cli-missing')}.dlq`;
    const run = await runCli(['dlq', 'list', '--topic', missing, ...connection]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`the dead-letter topic ${missing} does not exist on the cluster`);
    const noGroup = await runCli(['dlq', 'replay', '--to', 'retry', ...connection]);
    expect(noGroup.code).toBe(2);
    expect(noGroup.stderr).toContain('--to retry needs --group <consumer group>');
    const badReason = await runCli(['dlq', 'list', '--reason', 'OOPS', ...connection]);
    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toContain('Unknown --reason OOPS');
    const unreachable = await runCli(['dlq', 'list', '--brokers', '127.0.0.1:1']);
    expect(unreachable.code).toBe(3);
  });
});
