/**
 * `pnpm --filter @org/vmware-events-schema check:released` (CI): every released schema file still exists with
 * exactly the bytes it was released with. Lists the version files that are not released yet (drafts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hashSchemaFile, readLedger } from './lib/released.js';
import { SCHEMAS_DIR, SCHEMA_NAMES, listVersions } from './lib/schemas.js';

const ledger = readLedger();
const problems: string[] = [];
for (const [file, expected] of Object.entries(ledger.released)) {
  if (!existsSync(join(SCHEMAS_DIR, file))) {
    problems.push(`schemas/${file} was released and has been removed (released files are never removed)`);
    continue;
  }
  const actual = hashSchemaFile(file);
  if (actual !== expected) {
    problems.push(
      `schemas/${file} was changed after its release (sha256 ${actual}, released as ${expected}). ` +
        'A released version never changes: restore it and put the change in a new version file ' +
        '(docs/schema-evolution.md).',
    );
  }
}
const drafts = SCHEMA_NAMES.flatMap((name) => listVersions(name).map((v) => `${name}/${v}.json`)).filter(
  (file) => !(file in ledger.released),
);
if (problems.length > 0) {
  process.stderr.write(`released schemas check failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`released schemas unchanged (${Object.keys(ledger.released).length} files)\n`);
}
if (drafts.length > 0) process.stdout.write(`not released yet (drafts): ${drafts.join(', ')}\n`);
