/**
 * The generated validator modules survive tsup bundling in both output formats: build the package (ESM + CJS, no
 * types) into packages/schema/.tmp/ and load each build in a fresh Node process, the way an application would.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('../../', import.meta.url));
// Inside the package, so the builds resolve ajv-formats from packages/schema/node_modules (.tmp/ is git-ignored).
const outDir = join(pkg, '.tmp', `bundle-${randomUUID()}`);
const vector = fileURLToPath(
  new URL('../../../../schemas/test-vectors/vm-operation-event/v1-create.json', import.meta.url),
);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const probe = (load: string) => `
  ${load}
  const fs = require('node:fs');
  const event = JSON.parse(fs.readFileSync(${JSON.stringify(vector)}, 'utf8'));
  const ok = sdk.validateVmOperationEvent(event);
  const { vmData, ...noData } = event;
  const bad = sdk.validateVmOperationEvent(noData);
  const parsed = sdk.parseVmOperationEvent(Buffer.from(JSON.stringify(event)));
  console.log(JSON.stringify({ ok: ok.valid, bad: bad.issues.map((i) => i.path), op: parsed.operationInfo.operation }));
`;

function runNode(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: pkg, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('bundled builds', () => {
  it('validate events from the ESM and the CJS build alike', { timeout: 120_000 }, async () => {
    await build({
      entry: [join(pkg, 'src/index.ts')],
      format: ['esm', 'cjs'],
      outDir,
      dts: false,
      sourcemap: false,
      clean: true,
      target: 'node22',
      platform: 'node',
      silent: true,
      config: false,
    });
    const expected = JSON.stringify({ ok: true, bad: ['/vmData'], op: 'create' });

    const cjs = runNode(['-e', probe(`const sdk = require(${JSON.stringify(join(outDir, 'index.cjs'))});`)]);
    expect(cjs.stderr).toBe('');
    expect(cjs.stdout).toBe(expected);

    const esmUrl = pathToFileURL(join(outDir, 'index.js')).href;
    const esm = runNode([
      '--input-type=module',
      '-e',
      probe(
        `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);` +
          ` const sdk = await import(${JSON.stringify(esmUrl)});`,
      ),
    ]);
    expect(esm.stderr).toBe('');
    expect(esm.stdout).toBe(expected);
  });
});
