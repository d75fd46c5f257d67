/**
 * The CI guards run as real entry points (tsx), against copies of schemas/ and src/generated/ in a temporary
 * directory (VMW_SCHEMAS_DIR / VMW_GENERATED_DIR), so the tests can break them without touching the repository.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('../../', import.meta.url));
const repoSchemas = fileURLToPath(new URL('../../../../schemas/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'schema-scripts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(script: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(pkg, 'scripts', script)], {
    cwd: pkg,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('check:released', () => {
  it(
    'passes on the repository schemas and fails naming a changed or removed released file',
    { timeout: 60_000 },
    () => {
      const dir = join(work, 'schemas');
      cpSync(repoSchemas, dir, { recursive: true });
      const clean = run('check-released.ts', { VMW_SCHEMAS_DIR: dir });
      expect(clean.code).toBe(0);
      expect(clean.stdout).toMatch(/released schemas unchanged \(4 files\)/);

      appendFileSync(join(dir, 'vm-operation-event/1.0.json'), ' ');
      rmSync(join(dir, 'domain-event/1.0.json'));
      const broken = run('check-released.ts', { VMW_SCHEMAS_DIR: dir });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain('schemas/vm-operation-event/1.0.json was changed after its release');
      expect(broken.stderr).toContain('schemas/domain-event/1.0.json was released and has been removed');
      expect(broken.stderr).not.toContain('event-headers');
    },
  );
});

describe('check:generated', () => {
  it(
    'passes on a copy of src/generated and reports stale, missing and extra files with a diff',
    { timeout: 120_000 },
    () => {
      const dir = join(work, 'generated');
      cpSync(join(pkg, 'src/generated'), dir, { recursive: true });
      const clean = run('check-generated.ts', { VMW_GENERATED_DIR: dir });
      expect(clean.stderr).toBe('');
      expect(clean.code).toBe(0);

      appendFileSync(join(dir, 'constants.ts'), "export const EDITED_BY_HAND = 'yes';\n");
      rmSync(join(dir, 'domain-event.types.ts'));
      writeFileSync(join(dir, 'leftover.ts'), '// from a schema that no longer exists\n');
      const stale = run('check-generated.ts', { VMW_GENERATED_DIR: dir });
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('is out of date with schemas/ (3 files)');
      expect(stale.stderr).toContain('differs: constants.ts');
      expect(stale.stderr).toContain("-export const EDITED_BY_HAND = 'yes';");
      expect(stale.stderr).toContain('missing: domain-event.types.ts');
      expect(stale.stderr).toContain('not produced by the schemas (stale): leftover.ts');
      expect(stale.stderr).toContain('pnpm --filter @org/vmware-events-schema generate');
    },
  );
});
