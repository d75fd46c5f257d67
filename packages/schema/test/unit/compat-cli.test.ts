import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(pkg, 'src/cli.ts');
const script = join(pkg, 'scripts/check-compat.ts');
const fixtures = fileURLToPath(new URL('./fixtures/compat/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'compat-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a TypeScript entry point with tsx, the way `pnpm exec` would, and returns code and output. */
function run(entry: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: pkg,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: unknown): string {
  const path = join(work, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function pairFiles(fixture: string): [string, string] {
  const data = JSON.parse(readFileSync(join(fixtures, 'pairs', `${fixture}.json`), 'utf8'));
  return [file(`${fixture}/old.json`, data.old), file(`${fixture}/new.json`, data.new)];
}

function historyFiles(fixture: string): string[] {
  const data = JSON.parse(readFileSync(join(fixtures, 'history', `${fixture}.json`), 'utf8'));
  return (data.versions as unknown[]).map((v, i) => file(`${fixture}/v${i + 1}.json`, v));
}

describe('vmware-events-schema compat (CLI)', { timeout: 30_000 }, () => {
  it('exits 0 and lists the pair for compatible files', () => {
    const [oldFile, newFile] = pairFiles('enum-grown');
    const r = run(cli, ['compat', '--mode', 'BACKWARD', oldFile, newFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Mode BACKWARD: 1 pair checked');
    expect(r.stdout).toMatch(/ok\s+.*old\.json -> .*new\.json/);
    expect(r.stdout).toContain('Compatible.');
  });

  it('exits 1 and prints code, direction, file and path of each issue', () => {
    const [oldFile, newFile] = pairFiles('enum-grown');
    const r = run(cli, ['compat', '--mode', 'FULL', oldFile, newFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[forward] ENUM_NARROWED');
    expect(r.stdout).toContain(`${oldFile}#/properties/operationInfo/properties/operation/enum`);
    expect(r.stdout).toContain('"clone"');
  });

  it('--json prints a machine-readable result', () => {
    const [oldFile, newFile] = pairFiles('required-added-without-default');
    const r = run(cli, ['compat', '--json', '--mode', 'BACKWARD', oldFile, newFile]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mode: 'BACKWARD', compatible: false, files: [oldFile, newFile] });
    expect(out.pairs).toEqual([{ previous: oldFile, next: newFile, compatible: false }]);
    expect(out.issues[0]).toMatchObject({
      code: 'REQUIRED_ADDED_WITHOUT_DEFAULT',
      direction: 'backward',
      path: '#/required',
      file: newFile,
      instancePath: '/b',
    });
  });

  it('checks every earlier file in a transitive mode and only the previous one otherwise', () => {
    const files = historyFiles('required-default-dropped');
    const plain = run(cli, ['compat', '--mode', 'BACKWARD', ...files]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('2 pairs checked');
    const transitive = run(cli, ['compat', '--mode', 'BACKWARD_TRANSITIVE', ...files]);
    expect(transitive.code).toBe(1);
    expect(transitive.stdout).toContain('3 pairs checked');
    expect(transitive.stdout).toMatch(/FAIL .*v1\.json -> .*v3\.json/);
    expect(transitive.stdout).toContain('REQUIRED_ADDED_WITHOUT_DEFAULT');
  });

  it('defaults to BACKWARD', () => {
    const [oldFile, newFile] = pairFiles('enum-narrowed');
    const r = run(cli, ['compat', oldFile, newFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Mode BACKWARD:');
  });

  it.each([
    [
      'a missing file',
      () => ['compat', join(work, 'nope.json'), file('ok.json', { type: 'string' })],
      /nope\.json is not a usable JSON Schema: file not found/,
    ],
    [
      'invalid JSON',
      () => ['compat', file('broken.json', '{"type": '), file('ok.json', { type: 'string' })],
      /broken\.json is not a usable JSON Schema: invalid JSON/,
    ],
    [
      'a file that is not a schema',
      () => ['compat', file('ok.json', { type: 'string' }), file('bad-type.json', { type: 'strng' })],
      /bad-type\.json is not a usable JSON Schema: \/type/,
    ],
    [
      'a JSON array',
      () => ['compat', file('ok.json', { type: 'string' }), file('array.json', [1, 2])],
      /array\.json is not a usable JSON Schema: a JSON Schema must be an object or a boolean/,
    ],
    [
      'an unknown mode',
      () => ['compat', '--mode', 'SIDEWAYS', 'a.json', 'b.json'],
      /Unknown --mode "SIDEWAYS"/,
    ],
    ['a single file', () => ['compat', file('ok.json', { type: 'string' })], /at least two schema files/],
    [
      'an unknown option',
      () => ['compat', '--frobnicate', 'a.json', 'b.json'],
      /Unknown option '--frobnicate'/,
    ],
    ['an unknown command', () => ['diff', 'a.json', 'b.json'], /Unknown command "diff"/],
    ['no command', () => [], /Usage: vmware-events-schema compat/],
  ])('exits 2 with a clear message for %s', (_label, args, message) => {
    const r = run(cli, args());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--lenient-readers ignores unknown properties on the reading side', () => {
    const [oldFile, newFile] = pairFiles('optional-property-added-to-closed');
    expect(run(cli, ['compat', '--mode', 'FORWARD', oldFile, newFile]).code).toBe(1);
    const lenient = run(cli, ['compat', '--mode', 'FORWARD', '--lenient-readers', oldFile, newFile]);
    expect(lenient.code).toBe(0);
  });

  it('--help prints the usage and exits 0', () => {
    const r = run(cli, ['compat', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 compatible, 1 incompatible');
  });
});

describe('check-compat script (CI)', { timeout: 30_000 }, () => {
  const v = (extra: Record<string, unknown> = {}) => ({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'string' }, ...extra },
    required: ['id'],
  });

  it('checks the repository schemas and prints what it checked, even with one version each', () => {
    const r = run(script, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('BACKWARD_TRANSITIVE + FORWARD_TRANSITIVE (lenient readers)');
    expect(r.stdout).toMatch(/vm-operation-event major 1: versions 1\.0, 1\.1/);
    expect(r.stdout).toMatch(/check-compat: \d+ schemas, \d+ version files, \d+ pairs checked/);
  });

  it('passes compatible minor versions, sorting versions numerically (1.2 before 1.10)', () => {
    const dir = join(work, 'ok-schemas');
    file('ok-schemas/thing/1.0.json', v());
    file('ok-schemas/thing/1.2.json', v({ a: { type: 'string' } }));
    file('ok-schemas/thing/1.10.json', v({ a: { type: 'string' }, b: { type: 'integer' } }));
    const r = run(script, ['--schemas-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('versions 1.0, 1.2, 1.10');
    expect(r.stdout).toMatch(/ok\s+1\.0 -> 1\.2/);
    expect(r.stdout).toMatch(/ok\s+1\.0 -> 1\.10/);
    expect(r.stdout).toMatch(/ok\s+1\.2 -> 1\.10/);
    expect(r.stdout).toContain('6 pairs checked'); // 3 pairs, backward and forward
  });

  it('fails CI on a break within a major version and names the file and rule', () => {
    const dir = join(work, 'broken-schemas');
    file('broken-schemas/thing/1.0.json', v({ a: { type: 'string' } }));
    file('broken-schemas/thing/1.1.json', v());
    const r = run(script, ['--schemas-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL 1\.0 -> 1\.1/);
    expect(r.stderr).toContain('PROPERTY_REMOVED_FROM_CLOSED');
    expect(r.stderr).toContain('1.1.json#/additionalProperties');
  });

  it('does not compare across major versions', () => {
    const dir = join(work, 'major-schemas');
    file('major-schemas/thing/1.0.json', v({ a: { type: 'string' } }));
    file('major-schemas/thing/2.0.json', v());
    const r = run(script, ['--schemas-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('major 2 is a new major version: not checked against major 1');
    expect(r.stdout).toContain('0 pairs checked');
  });

  describe('the project policy on a copy of vm-operation-event', () => {
    type Def = { enum: string[]; required: string[]; properties: Record<string, unknown> };
    type VmSchema = { $id: string; definitions: Record<string, Def> };
    const repo = fileURLToPath(new URL('../../../../', import.meta.url));
    const v1 = JSON.parse(
      readFileSync(join(repo, 'schemas/vm-operation-event/1.0.json'), 'utf8'),
    ) as VmSchema;
    const release = (label: string, change: (defs: Record<string, Def>) => void) => {
      const next = structuredClone(v1);
      next.$id = next.$id.replace('1.0.json', '1.1.json');
      change(next.definitions);
      file(`${label}/vm-operation-event/1.0.json`, v1);
      file(`${label}/vm-operation-event/1.1.json`, next);
      return run(script, ['--schemas-dir', join(work, label)]);
    };

    it('an optional property passes backward and forward with lenient readers', () => {
      const r = release('policy-optional', (defs) => {
        defs.StateOperationInfo!.properties.ticketId = { type: 'string', maxLength: 64 };
        defs.ResourceOperationInfo!.properties.ticketId = { type: 'string', maxLength: 64 };
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/backward: ok\s+1\.0 -> 1\.1/);
      expect(r.stdout).toMatch(/forward, lenient readers: ok\s+1\.0 -> 1\.1/);
    });

    it('a new enum value passes with a rollout warning', () => {
      const r = release('policy-enum', (defs) => {
        defs.StateOperation!.enum = [...defs.StateOperation!.enum, 'upgrade'];
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/forward, lenient readers: warn\s+1\.0 -> 1\.1/);
      expect(r.stdout).toContain('ENUM_NARROWED');
      expect(r.stdout).toContain('"upgrade"');
    });

    it('a relaxed minimum passes with a rollout warning; a raised one fails', () => {
      type Info = { properties: Record<string, { minimum?: number }> };
      const key = (defs: Record<string, Def>) =>
        (defs.VcenterEventInfo as unknown as Info).properties.eventKey!;
      const relaxed = release('policy-relaxed', (defs) => {
        key(defs).minimum = -2147483648;
      });
      expect(relaxed.code).toBe(0);
      expect(relaxed.stdout).toMatch(/backward: ok\s+1\.0 -> 1\.1/);
      expect(relaxed.stdout).toMatch(/forward, lenient readers: warn\s+1\.0 -> 1\.1/);
      expect(relaxed.stdout).toContain('MINIMUM_INCREASED');
      const tightened = release('policy-tightened', (defs) => {
        key(defs).minimum = 1;
      });
      expect(tightened.code).toBe(1);
      expect(tightened.stdout).toMatch(/backward: FAIL\s+1\.0 -> 1\.1/);
      expect(tightened.stderr).toContain('MINIMUM_INCREASED');
    });

    it('making an optional property required fails', () => {
      const r = release('policy-required', (defs) => {
        defs.StateOperationInfo!.required = [...defs.StateOperationInfo!.required, 'vmName'];
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/backward: FAIL\s+1\.0 -> 1\.1/);
      expect(r.stderr).toContain('REQUIRED_ADDED_WITHOUT_DEFAULT');
      expect(r.stderr).toContain('1.1.json#/definitions/StateOperationInfo/required');
    });
  });

  it('fails when a version file is not a schema, naming it', () => {
    const dir = join(work, 'invalid-schemas');
    file('invalid-schemas/thing/1.0.json', '{ nope');
    const r = run(script, ['--schemas-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/thing 1\.0: .*1\.0\.json is not a usable JSON Schema: invalid JSON/);
  });

  it('fails when there is nothing to check', () => {
    const dir = join(work, 'empty-schemas');
    mkdirSync(dir, { recursive: true });
    const r = run(script, ['--schemas-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was checked');
  });
});
