/**
 * The release ledger: schemas/released.json records the sha256 of every released schema file. A released file
 * never changes and is never removed; a change is a new version file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR } from './schemas.js';

/** Path of the ledger. */
export const LEDGER_PATH = join(SCHEMAS_DIR, 'released.json');

/** The ledger's content. */
export interface Ledger {
  /** What the file is, for someone who opens it. */
  description: string;
  /** Released file (relative to schemas/) → lowercase hex sha256 of its bytes. */
  released: Record<string, string>;
}

/** sha256 (hex) of a file under schemas/. */
export function hashSchemaFile(relativePath: string): string {
  return createHash('sha256')
    .update(readFileSync(join(SCHEMAS_DIR, relativePath)))
    .digest('hex');
}

/** Read the ledger (an empty one when the file does not exist yet). */
export function readLedger(): Ledger {
  if (!existsSync(LEDGER_PATH)) {
    return {
      description:
        'Released schema files and the sha256 of their bytes. A released file never changes and is never removed: ' +
        'make a new version instead. Checked in CI by `pnpm --filter @org/vmware-events-schema check:released`; ' +
        'entries are added by `pnpm --filter @org/vmware-events-schema release-schema <name> <version>`.',
      released: {},
    };
  }
  return JSON.parse(readFileSync(LEDGER_PATH, 'utf8')) as Ledger;
}

/** Write the ledger with sorted keys, so diffs stay small. */
export function writeLedger(ledger: Ledger): void {
  const released = Object.fromEntries(Object.entries(ledger.released).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(LEDGER_PATH, `${JSON.stringify({ ...ledger, released }, null, 2)}\n`);
}
