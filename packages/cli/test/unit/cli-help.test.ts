import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.js';

vi.setConfig({ testTimeout: 60_000 }); // each case starts processes (about 1 s each)

// Every test here runs `vmware-events` as a process; none talks to a broker.
describe('vmware-events --help and usage errors', () => {
  it('prints the commands with --help and exits 0; without a command it prints them to stderr and exits 2', async () => {
    const help = await runCli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(
      /tail[\s\S]*produce[\s\S]*dlq list\|replay[\s\S]*topics plan\|apply[\s\S]*validate[\s\S]*compat/,
    );
    const bare = await runCli([]);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toContain('Usage: vmware-events <command>');
  });

  it.each([
    ['tail', 'Usage: vmware-events tail [--topic <topic>]...'],
    ['produce', 'Usage: vmware-events produce [--topic <topic> | --environment-topics]'],
    ['dlq', 'vmware-events dlq replay [--topic <dlq>] [filters]'],
    ['topics', 'vmware-events topics plan  --file <plan>'],
    ['validate', 'Usage: vmware-events validate'],
    ['compat', 'Usage: vmware-events compat [--mode <mode>]'],
  ])('%s --help describes the command and its exit codes', async (command, usage) => {
    const run = await runCli([command, '--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(usage);
    expect(run.stdout).toMatch(/Exit codes: 0/);
  });

  it('prints the version of the package', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 naming an unknown command, an unknown flag, or a missing --file', async () => {
    const unknown = await runCli(['tial']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'tial'");
    const flag = await runCli(['validate', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/error: Unknown option '--bogus'[\s\S]*Usage: vmware-events validate/);
    const noFile = await runCli(['topics', 'plan', '--brokers', '127.0.0.1:9092']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('topics plan needs --file <plan>');
    const noBrokers = await runCli(['topics', 'plan', '--file', 'x.yaml'], {
      env: { KAFKA_BROKERS: undefined },
    });
    expect(noBrokers.code).toBe(2);
    expect(noBrokers.stderr).toContain(
      '--brokers is required (or set KAFKA_BROKERS, or "brokers" in a --config file)',
    );
    const badBrokers = await runCli(['topics', 'apply', '--file', 'x.yaml', '--brokers', 'localhost']);
    expect(badBrokers.code).toBe(2);
    expect(badBrokers.stderr).toContain(
      '--brokers must list host:port pairs separated by commas; not one: localhost',
    );
  });
});

describe('vmware-events compat forwards to the schema compatibility checker', () => {
  const pairs = '../../../schema/test/unit/fixtures/compat/pairs';
  const fixture = async (name: string) => {
    const pair = JSON.parse(await readFile(new URL(`${pairs}/${name}.json`, import.meta.url), 'utf8')) as {
      old: unknown;
      new: unknown;
    };
    const dir = await mkdtemp(join(tmpdir(), 'vmw-compat-'));
    await writeFile(join(dir, 'old.json'), JSON.stringify(pair.old));
    await writeFile(join(dir, 'new.json'), JSON.stringify(pair.new));
    return [join(dir, 'old.json'), join(dir, 'new.json')];
  };

  it('exits 0 for compatible schemas and 1 with the issue for incompatible ones', async () => {
    const ok = await runCli(['compat', ...(await fixture('enum-grown'))]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain('Compatible.');
    const broken = await runCli(['compat', '--mode', 'FULL', ...(await fixture('type-changed'))]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('TYPE_CHANGED');
  });

  it('checks the released schemas of this repository', async () => {
    const run = await runCli([
      'compat',
      '--json',
      'schemas/vm-operation-event/1.0.json',
      'schemas/vm-operation-event/1.0.json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'BACKWARD', compatible: true });
  });

  it('exits 2 for a missing file', async () => {
    const run = await runCli(['compat', 'nope.json', 'schemas/vm-operation-event/1.0.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.json');
  });
});
