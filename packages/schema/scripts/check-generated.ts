/**
 * `pnpm --filter @org/vmware-events-schema check:generated` (CI): regenerate into a temporary directory and
 * fail, naming every differing file with a diff, if src/generated/ is not exactly what schemas/ produce.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generate, listFiles } from './lib/generate.js';
import { GENERATED_DIR, REPO_ROOT } from './lib/schemas.js';

const tmp = mkdtempSync(join(tmpdir(), 'vmw-generated-'));
try {
  await generate(tmp);
  const expected = listFiles(tmp);
  const actual = existsSync(GENERATED_DIR) ? listFiles(GENERATED_DIR) : [];
  const problems: string[] = [];
  for (const file of expected) {
    if (!actual.includes(file)) {
      problems.push(`missing: ${file}`);
      continue;
    }
    const want = readFileSync(join(tmp, file), 'utf8');
    const have = readFileSync(join(GENERATED_DIR, file), 'utf8');
    if (want !== have) {
      const diff = spawnSync('diff', ['-u', join(GENERATED_DIR, file), join(tmp, file)], {
        encoding: 'utf8',
      });
      problems.push(
        `differs: ${file}\n${(diff.stdout || '(diff unavailable)').split('\n').slice(0, 60).join('\n')}`,
      );
    }
  }
  for (const file of actual)
    if (!expected.includes(file)) problems.push(`not produced by the schemas (stale): ${file}`);
  const where = relative(REPO_ROOT, GENERATED_DIR);
  if (problems.length > 0) {
    process.stderr.write(
      `${where}/ is out of date with schemas/ (${problems.length} file${problems.length === 1 ? '' : 's'}):\n\n` +
        `${problems.join('\n\n')}\n\nRun \`pnpm --filter @org/vmware-events-schema generate\` and commit the result. ` +
        `Never edit files in ${where}/ by hand.\n`,
    );
    process.exitCode = 1;
  } else {
    process.stdout.write(`${where}/ matches schemas/ (${expected.length} files)\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
