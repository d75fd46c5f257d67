import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { runCli, startCli } from '../support/run-cli.js';
import { brokers, createAdmin, uniqueName } from './helpers.js';

vi.setConfig({ testTimeout: 90_000 }); // each case starts several processes

const connection = ['--brokers', brokers.join(',')];

const event = (
  overrides: { vmId?: string; tenantId?: string; operation?: string; vmName?: string } = {},
) => ({
  source: 'urn:vmware-events:test:cli',
  operationInfo: {
    operation: overrides.operation ?? 'power_on',
    vmId: overrides.vmId ?? 'vm-1',
    username: 'VSPHERE.LOCAL\\alice',
    environment: 'DEV',
    tenantId: overrides.tenantId ?? 'tenantA',
    ...(overrides.vmName === undefined ? {} : { vmName: overrides.vmName }),
  },
});

const ndjson = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';

async function writeTemp(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vmw-cli-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

/** A topic of its own (deleted afterwards) and the number of records in it. */
async function createTopic(partitions = 2) {
  const { admin, cleanup } = await createAdmin();
  const topic = uniqueName('cli-tail');
  cleanup.add(topic);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
  });
  const records = async () =>
    (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  return { topic, records };
}

interface JsonRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  event?: { eventId: string; operationInfo: { tenantId: string; vmId: string } };
  error?: { code: string; message: string; issues?: Array<{ path: string }> };
  value?: { text: string; encoding: string } | null;
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonRecord);

describe('vmware-events produce and tail as processes against the real broker', () => {
  it('produce sends nothing while one event is invalid, naming it by file and line; then sends all, read back by tail', async () => {
    const { topic, records } = await createTopic();
    const bad = { ...event({ vmId: 'vm-2' }), operationInfo: { ...event().operationInfo, tenantId: '' } };
    const file = await writeTemp('events.ndjson', ndjson(event(), bad, event({ vmId: 'vm-3' })));

    const refused = await runCli(['produce', '--topic', topic, file, ...connection]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`INVALID   ${file}:2`);
    expect(refused.stdout).toMatch(/\/operationInfo\/tenantId: /);
    expect(refused.stdout).not.toContain(`${file}:1`);
    expect(refused.stderr).toContain('1 of 3 events invalid: nothing was sent');
    expect(await records()).toBe(0);

    const good = await writeTemp(
      'events.json',
      JSON.stringify([event(), event({ vmId: 'vm-2' }), event({ vmId: 'vm-3' })]),
    );
    const sent = await runCli(['produce', '--topic', topic, '--json', good, ...connection]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain('3 events sent');
    const results = JSON.parse(sent.stdout) as Array<{
      where: string;
      status: string;
      eventId: string;
      key: string;
    }>;
    expect(results.map((r) => [r.where, r.status, r.key])).toEqual([
      [`${good}[0]`, 'sent', 'vm-1'],
      [`${good}[1]`, 'sent', 'vm-2'],
      [`${good}[2]`, 'sent', 'vm-3'],
    ]);
    expect(await records()).toBe(3);

    const read = await runCli([
      'tail',
      '-t',
      topic,
      '--from',
      'start',
      '--exit-at-end',
      '--json',
      ...connection,
    ]);
    expect(read.code).toBe(0);
    const tailed = jsonLines(read.stdout);
    expect(tailed.map((r) => r.event?.eventId).sort()).toEqual(results.map((r) => r.eventId).sort());
    expect(tailed.every((r) => r.headers.ce_type === 'com.vmware.events.vm.power_on.v1')).toBe(true);
    expect(read.stderr).toContain('3 records shown');
  });

  it('tail from the end shows only what arrives after it started, filtered, and shows records that do not decode', async () => {
    const { topic } = await createTopic();
    const before = await writeTemp('before.ndjson', ndjson(event({ vmId: 'vm-old' })));
    expect((await runCli(['produce', '-t', topic, before, ...connection])).code).toBe(0);

    const tail = startCli(['tail', '-t', topic, '--tenant', 'tenantA', '--json', ...connection]);
    await tail.waitFor('stderr', /tailing .* from the end; Ctrl-C to stop/);

    const after = await writeTemp(
      'after.ndjson',
      ndjson(event({ vmId: 'vm-new' }), event({ vmId: 'vm-other', tenantId: 'tenantB' })),
    );
    expect((await runCli(['produce', '-t', topic, after, ...connection])).code).toBe(0);
    const raw = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await raw.connect();
    onTestFinished(() => raw.disconnect());
    await raw.send({
      topic,
      messages: [
        { key: 'vm-9', value: 'not json at all' }, // no headers: nothing says it is outside the filter
        { key: 'vm-8', value: JSON.stringify({ operationInfo: { tenantId: 'tenantA' } }) }, // JSON, not an event
        { key: 'vm-7', value: 'garbage', headers: { tenant: 'tenantB' } }, // its header puts it outside
      ],
    });

    await tail.waitFor('stdout', /(?:.*\n){3}/); // three lines
    const run = await tail.interrupt();
    expect(run.code).toBe(0);
    const shown = jsonLines(run.stdout);
    expect(shown.map((r) => r.key).sort()).toEqual(['vm-8', 'vm-9', 'vm-new']);
    const byKey = Object.fromEntries(shown.map((r) => [r.key, r]));
    expect(byKey['vm-new']!.event?.operationInfo).toMatchObject({ tenantId: 'tenantA', vmId: 'vm-new' });
    expect(byKey['vm-9']).toMatchObject({
      error: { code: 'INVALID_JSON' },
      value: { text: 'not json at all', encoding: 'utf8' },
    });
    expect(byKey['vm-8']!.error?.code).toBe('SCHEMA_VALIDATION');
    expect(byKey['vm-8']!.error?.issues?.length).toBeGreaterThan(0);
    expect(run.stderr).toContain('3 records shown (2 not decoded), 2 filtered out');
  });

  it('tail prints one line per event, and NOT DECODED with the reason, for a person', async () => {
    const { topic } = await createTopic(1);
    const file = await writeTemp(
      'events.ndjson',
      ndjson(event({ vmId: 'vm-1', vmName: 'web-01' }), event({ vmId: 'vm-2', operation: 'power_off' })),
    );
    expect((await runCli(['produce', '-t', topic, file, ...connection])).code).toBe(0);
    const raw = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await raw.connect();
    onTestFinished(() => raw.disconnect());
    await raw.send({
      topic,
      messages: [{ key: 'vm-3', value: '{"operationInfo": {"operation": "power_on"}}' }],
    });

    const run = await runCli(['tail', '-t', topic, '--from', 'start', '-e', '--vm', 'web-01', ...connection]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^${topic}/0@0  \\S+Z  power_on  env=DEV  tenant=tenantA  vm=vm-1  name="web-01"  user=\\S+  id=[0-9a-f-]{36}$`,
      ),
    );
    // vm-2 is another VM; the undecodable record names no VM, so it is shown.
    expect(lines[1]).toMatch(new RegExp(`^${topic}/0@2  \\S+Z  NOT DECODED  SCHEMA_VALIDATION: `));
    expect(run.stdout).toContain('    key=vm-3  value={"operationInfo": {"operation": "power_on"}}');
    expect(run.stderr).toContain('2 records shown (1 not decoded), 1 filtered out');

    const counted = await runCli(['tail', '-t', topic, '--from', 'start', '--count', '1', ...connection]);
    expect(counted.code).toBe(0);
    expect(counted.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('reads the brokers from a --config file, which wins over KAFKA_BROKERS', async () => {
    const { topic, records } = await createTopic(1);
    const config = await writeTemp('kafka.json', JSON.stringify({ brokers, clientId: 'cli-config-test' }));
    const file = await writeTemp('event.json', JSON.stringify(event()));
    const run = await runCli(['produce', '-t', topic, '--config', config, file], {
      env: { KAFKA_BROKERS: '127.0.0.1:1' },
    });
    expect(run.code).toBe(0);
    expect(await records()).toBe(1);
  });

  it('exits 2 for a topic that does not exist, sending nothing, and 3 when no broker answers', async () => {
    const missing = uniqueName('cli-missing');
    const file = await writeTemp('event.json', JSON.stringify(event()));
    const produce = await runCli(['produce', '-t', missing, file, ...connection]);
    expect(produce.code).toBe(2);
    expect(produce.stderr).toContain(`${file}: topic ${missing} does not exist`);
    const tail = await runCli(['tail', '-t', missing, ...connection]);
    expect(tail.code).toBe(2);
    expect(tail.stderr).toContain(`topic ${missing} does not exist on the cluster`);
    const { admin } = await createAdmin();
    expect(await admin.listTopics()).not.toContain(missing);

    const unreachable = await runCli(['tail', '--brokers', '127.0.0.1:1']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('cannot reach the Kafka cluster at 127.0.0.1:1 (from --brokers)');
  });
});
