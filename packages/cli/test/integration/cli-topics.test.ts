import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { brokers, createAdmin, describeTopic, uniqueName } from './helpers.js';

vi.setConfig({ testTimeout: 90_000 }); // each case starts several processes

const writePlan = async (name: string, text: string) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmw-plan-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
};

const yamlPlan = (env: string, partitions: number) => `# a development plan
defaults:
  partitions: ${partitions}
  replicationFactor: 1
  minInsyncReplicas: 1
deadLetter:
  retentionMs: 2419200000
topics:
  environments: [${env}]
`;

describe('vmware-events topics plan|apply as processes against the real broker', () => {
  it('plans, applies, then finds nothing to change; --check exits 4 only while there is drift', async () => {
    const { admin, cleanup } = await createAdmin();
    const env = uniqueName('env');
    ['', '.dlq', '.raw'].forEach((suffix) => cleanup.add(`vmware.events.${env}${suffix}`));
    const file = await writePlan('topics.yaml', yamlPlan(env, 2));
    const flags = ['--file', file, '--brokers', brokers.join(',')];

    const plan = await runCli(['topics', 'plan', ...flags]);
    expect(plan).toMatchObject({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('3 to create, 0 to change, 0 in sync');
    expect(plan.stdout).toMatch(
      new RegExp(`^\\+ vmware\\.events\\.${env}\\.dlq +create: 2 partitions, replication factor 1$`, 'm'),
    );
    expect(plan.stdout).toContain('retention.ms=2419200000 (28d)');
    expect((await runCli(['topics', 'plan', '--check', ...flags])).code).toBe(4);

    const apply = await runCli(['topics', 'apply', ...flags]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`✔ vmware.events.${env}: create with 2 partitions, replication factor 1`);
    expect(apply.stdout).toContain('Applied 3 changes; the cluster now matches the plan (3 topics).');
    expect(await describeTopic(admin, `vmware.events.${env}.dlq`, ['retention.ms'])).toMatchObject({
      partitions: 2,
      configs: { 'retention.ms': '2419200000' },
    });

    const again = await runCli(['topics', 'apply', ...flags]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('Nothing to change: the cluster matches the plan (3 topics).');
    const check = await runCli(['topics', 'plan', '--check', ...flags]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('The cluster matches the plan.');

    // More partitions in the plan: drift, then applied; fewer: kept, with the reason.
    const more = await writePlan('topics.yaml', yamlPlan(env, 3));
    expect(
      (await runCli(['topics', 'plan', '--check', '--file', more, '--brokers', brokers.join(',')])).code,
    ).toBe(4);
    const raised = await runCli(['topics', 'apply', '--file', more], {
      env: { KAFKA_BROKERS: brokers.join(',') },
    });
    expect(raised.code).toBe(0);
    expect(raised.stdout).toContain(`✔ vmware.events.${env}: partitions 2 → 3`);
    const fewer = await writePlan('topics.yaml', yamlPlan(env, 1));
    const kept = await runCli(['topics', 'plan', '--check', '--file', fewer, '--brokers', brokers.join(',')]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('note: keeps 3 partitions (plan: 1): Kafka cannot remove partitions');
    expect((await describeTopic(admin, `vmware.events.${env}`, [])).partitions).toBe(3);
  });

  it('reads the plan from standard input and prints JSON with --json', async () => {
    const { cleanup } = await createAdmin();
    const team = uniqueName('team');
    cleanup.add(`vmware.events.${team}`);
    const plan = JSON.stringify({
      defaults: { replicationFactor: 1, minInsyncReplicas: 1, partitions: 1 },
      topics: { teams: [{ name: team, deadLetter: false, raw: false }] },
    });
    const run = await runCli(['topics', 'plan', '--json', '--file', '-', '--brokers', brokers.join(',')], {
      input: plan,
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      counts: unknown;
      topics: Array<{ name: string; status: string; source: string }>;
    };
    expect(result.counts).toEqual({ create: 1, change: 0, inSync: 0, problems: 0 });
    expect(result.topics).toEqual([
      expect.objectContaining({ name: `vmware.events.${team}`, status: 'create', source: 'topics.teams[0]' }),
    ]);
  });

  it('exits 1 and changes nothing when the plan has problems', async () => {
    const { admin, cleanup } = await createAdmin();
    const env = uniqueName('env');
    ['', '.dlq', '.raw'].forEach((suffix) => cleanup.add(`vmware.events.${env}${suffix}`));
    const file = await writePlan('topics.json', JSON.stringify({ topics: { environments: [env] } })); // SDK defaults: 3 replicas
    const flags = ['--file', file, '--brokers', brokers.join(',')];
    const plan = await runCli(['topics', 'plan', ...flags]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(
      'problem: replication factor 3 needs at least 3 brokers; the cluster has 1',
    );
    const apply = await runCli(['topics', 'apply', ...flags]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('Nothing was changed: the plan has problems on 3 topics');
    expect((await admin.listTopics()).filter((t) => t.startsWith(`vmware.events.${env}`))).toEqual([]);
  });

  it('exits 2 for an invalid plan file, naming the file and every problem with its path', async () => {
    const file = await writePlan(
      'bad.yaml',
      'defaults:\n  partitions: 0\ntopics:\n  environments: ["eu.prod"]\n',
    );
    const run = await runCli(['topics', 'plan', '--file', file, '--brokers', brokers.join(',')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`The topic plan ${file} is invalid:`);
    expect(run.stderr).toContain('defaults.partitions: partitions must be at least 1');
    const missing = await runCli([
      'topics',
      'apply',
      '--file',
      '/nonexistent/topics.yaml',
      '--brokers',
      brokers.join(','),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('(plan): file not found');
  });

  it('exits 3 when no broker answers', async () => {
    const file = await writePlan('topics.yaml', yamlPlan(uniqueName('env'), 1));
    const run = await runCli(['topics', 'plan', '--file', file, '--brokers', '127.0.0.1:1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('cannot reach the Kafka cluster at 127.0.0.1:1');
  });
});
