/**
 * Build step: copy schemas/ (JSON Schemas, released.json, test vectors) into dist/schemas so they ship in the
 * npm tarball and can be vendored as plain files: `@org/vmware-events-schema/schemas/vm-operation-event/1.0.json`.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_DIR, SCHEMAS_DIR } from './lib/schemas.js';

const target = join(PACKAGE_DIR, 'dist/schemas');
rmSync(target, { recursive: true, force: true });
cpSync(SCHEMAS_DIR, target, {
  recursive: true,
  filter: (src) => !src.endsWith('.md') || src.endsWith('README.md'),
});
process.stdout.write(`copied schemas/ to ${target}\n`);
