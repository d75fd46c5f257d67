import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SUPPORTED_SCHEMA_VERSIONS } from '@org/vmware-events-schema';
import { repoRoot, runCli } from '../support/run-cli.js';

interface Vector {
  file: string;
  schema: string;
  version: string;
  valid: boolean;
  expectedIssuePaths?: string[];
  /** false: the file is not JSON (the command reports it as unreadable, at the root). */
  json?: boolean;
  mode?: 'lenient';
}

vi.setConfig({ testTimeout: 60_000 }); // each case starts processes (about 1 s each)

// The shared test vectors of schemas/ (every schema, every version there): the command must agree with each,
// except those that show how a reader older than this SDK treats a newer event (a 1.0 consumer reading a 1.1 event):
// the command knows the declared version and validates with it.
const vectorPath = (v: Vector) => join(repoRoot, 'schemas/test-vectors', v.file);
const olderReader = async (v: Vector) => {
  if (v.mode !== 'lenient') return false;
  const declared = (JSON.parse(await readFile(vectorPath(v), 'utf8')) as { schemaVersion?: unknown })
    .schemaVersion;
  return SUPPORTED_SCHEMA_VERSIONS.includes(declared as string) && declared !== v.version;
};
const vectors: Vector[] = [];
for (const v of (
  JSON.parse(await readFile(join(repoRoot, 'schemas/test-vectors/index.json'), 'utf8')) as {
    vectors: Vector[];
  }
).vectors) {
  if (!(await olderReader(v))) vectors.push(v);
}

interface JsonResult {
  where: string;
  schema: string;
  valid: boolean;
  issues: Array<{ path: string; message: string }>;
}

const scratch = async (files: Record<string, string>) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmw-validate-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return (name: string) => join(dir, name);
};

const validEvent = async () =>
  JSON.parse(
    await readFile(vectorPath(vectors.find((v) => v.schema === 'vm-operation-event' && v.valid)!), 'utf8'),
  ) as Record<string, unknown>;

describe('vmware-events validate', () => {
  it.each(['vm-operation-event', 'domain-event', 'event-headers'])(
    'agrees with every %s test vector, with --schema and with auto-detection',
    async (schema) => {
      const mine = vectors.filter((v) => v.schema === schema);
      expect(mine.length).toBeGreaterThan(0);
      for (const mode of [schema, 'auto']) {
        const run = await runCli(['validate', '--json', '--schema', mode, ...mine.map(vectorPath)]);
        const results = JSON.parse(run.stdout) as JsonResult[];
        expect(results).toHaveLength(mine.length);
        mine.forEach((vector, i) => {
          const result = results[i]!;
          expect({ file: vector.file, valid: result.valid }).toEqual({
            file: vector.file,
            valid: vector.valid,
          });
          if (!vector.valid && vector.json !== false && vector.expectedIssuePaths && mode === schema) {
            expect(new Set(result.issues.map((issue) => issue.path))).toEqual(
              new Set(vector.expectedIssuePaths),
            );
          }
        });
        expect(run.code).toBe(mine.every((v) => v.valid) ? 0 : 1);
      }
    },
  );

  it('exits 0 for valid events and names the schema version it used', async () => {
    const event = await validEvent();
    const file = (await scratch({ 'one.json': JSON.stringify(event) }))('one.json');
    const run = await runCli(['validate', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`ok    ${file}  vm-operation-event ${String(event.schemaVersion)}`);
    expect(run.stdout).toContain('1 valid, 0 invalid (1 value)');
  });

  it('reads NDJSON, points at the line, and lists every issue', async () => {
    const event = await validEvent();
    const bad = { ...event, eventId: 'not-a-uuid' };
    const at = await scratch({
      'events.ndjson': `${JSON.stringify(event)}\n\n${JSON.stringify(bad)}\n{"operationInfo": \n`,
    });
    const ndjson = await runCli(['validate', at('events.ndjson')]);
    expect(ndjson.code).toBe(1);
    expect(ndjson.stdout).toContain(`ok    ${at('events.ndjson')}:1`);
    expect(ndjson.stdout).toMatch(
      new RegExp(`FAIL  ${at('events.ndjson')}:3  vm-operation-event[^\\n]*\\n +/eventId: `),
    );
    expect(ndjson.stdout).toMatch(new RegExp(`FAIL  ${at('events.ndjson')}:4 [^\\n]*\\n +/: not JSON`));
    expect(ndjson.stdout).toContain('1 valid, 2 invalid (3 values)');
    const quiet = await runCli(['validate', '--quiet', at('events.ndjson')]);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).not.toContain('ok  ');
    expect(quiet.stdout).toContain('1 valid, 2 invalid (3 values)');
  });

  it('takes a JSON array as one value and says how to validate many events', async () => {
    const event = await validEvent();
    const at = await scratch({ 'events.json': JSON.stringify([event, event], null, 2) });
    const run = await runCli(['validate', at('events.json')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "a JSON array is one value, not a list of events: write one event per line (jq -c '.[]')",
    );
  });

  it('reads standard input without a file or with -', async () => {
    const event = JSON.stringify(await validEvent());
    expect((await runCli(['validate'], { input: event })).code).toBe(0);
    expect((await runCli(['validate', '-'], { input: `${event}\n${event}\n` })).stdout).toContain(
      '2 valid, 0 invalid',
    );
    const broken = await runCli(['validate', '-'], { input: '{"operationInfo": ' });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('<stdin>  -\n        /: not JSON');
  });

  it('fails a value whose schema it cannot tell, and nothing at all, instead of passing them', async () => {
    const unknown = await runCli(['validate'], { input: '{"hello": "world"}' });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('cannot tell which schema this value is for');
    const empty = await runCli(['validate'], { input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stdout).toContain('no values to validate');
  });

  it('exits 2 for a file it cannot read and for an unknown --schema', async () => {
    const missing = await runCli(['validate', '/nonexistent/events.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/events.json: file not found');
    const schema = await runCli(['validate', '--schema', 'cloudevent'], { input: '{}' });
    expect(schema.code).toBe(2);
    expect(schema.stderr).toContain("Unknown --schema 'cloudevent'");
  });
});
