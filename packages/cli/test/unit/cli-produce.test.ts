import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.js';

vi.setConfig({ testTimeout: 60_000 }); // each case starts processes

// `produce --dry-run` checks events exactly as a real run does before it connects; none of these needs a broker.
const event = (vmId: string, extra: Record<string, unknown> = {}) => ({
  source: 'urn:test',
  operationInfo: {
    operation: 'power_on',
    vmId,
    username: 'alice',
    environment: 'prod',
    tenantId: 'tenantA',
    ...extra,
  },
});

const temp = async (name: string, text: string) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmw-produce-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
};

describe('vmware-events produce --dry-run', () => {
  it('checks JSON arrays, NDJSON and standard input, and shows where each event would go', async () => {
    const array = await temp('events.json', JSON.stringify([event('vm-1'), event('vm-2')]));
    const run = await runCli([
      'produce',
      '--dry-run',
      '--environment-topics',
      '--key-strategy',
      'tenant.vmId',
      array,
    ]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toBe(
      `valid     ${array}[0]  → vmware.events.prod  key=tenantA.vm-1\nvalid     ${array}[1]  → vmware.events.prod  key=tenantA.vm-2\n`,
    );
    expect(run.stderr).toBe('dry run: 2 valid events, nothing sent\n');
    const piped = await runCli(['produce', '--dry-run', '--source', 'urn:cli'], {
      input: `${JSON.stringify({ operationInfo: event('vm-3').operationInfo })}\n${JSON.stringify(event('vm-4'))}\n`,
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('valid     <stdin>:1  → vmware.events  key=vm-3');
  });

  it('names every invalid event by file and line with each problem, and exits 1', async () => {
    const file = await temp(
      'events.ndjson',
      [
        JSON.stringify(event('vm-1')),
        JSON.stringify(event('vm-2', { operation: 'explode' })),
        '{not json',
        JSON.stringify({ operationInfo: event('vm-4').operationInfo }), // no source, and no --source
        JSON.stringify({ type: 'CREATE', tenant: 't', new: { id: '1' } }),
      ].join('\n'),
    );
    const run = await runCli(['produce', '--dry-run', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(`${file}:1`);
    expect(run.stdout).toMatch(new RegExp(`INVALID   ${file}:2\\n\\s+/operationInfo/operation: `));
    expect(run.stdout).toMatch(new RegExp(`INVALID   ${file}:3\\n\\s+/: not JSON: `));
    expect(run.stdout).toMatch(
      new RegExp(`INVALID   ${file}:4\\n\\s+/source: must have required property 'source'`),
    );
    expect(run.stdout).toContain('produce sends VM operation events');
    expect(run.stderr).toBe('4 of 5 events invalid: nothing was sent\n');
    const json = await runCli(['produce', '--dry-run', '--json', file]);
    const results = JSON.parse(json.stdout) as Array<{ where: string; status: string }>;
    expect(results.map((r) => r.where)).toEqual([`${file}:2`, `${file}:3`, `${file}:4`, `${file}:5`]);
  });

  it('exits 2 for bad usage and an unreadable file, and 1 for no events at all', async () => {
    const conflict = await runCli(['produce', '--dry-run', '--topic', 'a', '--environment-topics', 'x.json']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('--topic and --environment-topics exclude each other');
    const badTopic = await runCli(['produce', '--dry-run', '--topic', 'bad topic', 'x.json']);
    expect(badTopic.code).toBe(2);
    expect(badTopic.stderr).toContain('--topic: Invalid topic name "bad topic"');
    const strategy = await runCli(['produce', '--dry-run', '--key-strategy', 'random', 'x.json']);
    expect(strategy.stderr).toContain("Unknown --key-strategy 'random'");
    const missing = await runCli(['produce', '--dry-run', '/nonexistent/events.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: cannot read /nonexistent/events.json: file not found\n');
    const empty = await runCli(['produce', '--dry-run'], { input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no events to send');
  });
});
