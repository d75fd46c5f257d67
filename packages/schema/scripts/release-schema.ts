/**
 * `pnpm --filter @org/vmware-events-schema release-schema <name> <version>`: record schemas/<name>/<version>.json
 * as released (its sha256 goes into schemas/released.json). From then on the file must never change.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hashSchemaFile, readLedger, writeLedger } from './lib/released.js';
import { SCHEMAS_DIR, SCHEMA_NAMES, type SchemaName } from './lib/schemas.js';

const [name, version] = process.argv.slice(2);
if (!name || !version || !(SCHEMA_NAMES as readonly string[]).includes(name) || !/^\d+\.\d+$/.test(version)) {
  process.stderr.write(`usage: release-schema <${SCHEMA_NAMES.join('|')}> <MAJOR.MINOR>\n`);
  process.exit(2);
}
const file = `${name as SchemaName}/${version}.json`;
if (!existsSync(join(SCHEMAS_DIR, file))) {
  process.stderr.write(`schemas/${file} does not exist\n`);
  process.exit(1);
}
const ledger = readLedger();
const hash = hashSchemaFile(file);
if (ledger.released[file] !== undefined && ledger.released[file] !== hash) {
  process.stderr.write(`schemas/${file} is already released with another sha256; it must not change\n`);
  process.exit(1);
}
ledger.released[file] = hash;
writeLedger(ledger);
process.stdout.write(`released schemas/${file} (sha256 ${hash})\n`);
