/**
 * `pnpm --filter @org/vmware-events-schema check:compat` (CI): every version of every schema under
 * `schemas/<name>/<MAJOR.MINOR>.json` must be compatible with the versions before it.
 *
 * Policy (docs/compatibility.md): within one major version, BACKWARD_TRANSITIVE — a consumer on the newest minor
 * version reads every event written with any earlier minor version of the same major. A new major version is a
 * deliberate break and is not checked against the previous major (its events carry another schemaVersion and
 * ce_type). The pairs checked are always printed, so a run that checks nothing says so.
 *
 * Options: --mode <mode> (override), --schemas-dir <dir> (default: <repo>/schemas), --json.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  COMPATIBILITY_MODES,
  checkSchemaHistory,
  isCompatibilityMode,
  isInvalidSchemaFileError,
  readSchemaFile,
} from '../src/index.js';
import type { CompatibilityMode, JsonSchema } from '../src/index.js';

const DEFAULT_MODE: CompatibilityMode = 'BACKWARD_TRANSITIVE';
const VERSION_FILE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.json$/;

interface VersionFile {
  major: number;
  minor: number;
  file: string;
}

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { mode: { type: 'string' }, 'schemas-dir': { type: 'string' }, json: { type: 'boolean' } },
  });
  const mode = values.mode ?? DEFAULT_MODE;
  if (!isCompatibilityMode(mode)) {
    err(
      `check-compat: unknown --mode ${JSON.stringify(mode)} (expected one of ${COMPATIBILITY_MODES.join(', ')})`,
    );
    return 2;
  }
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const dir = resolve(values['schemas-dir'] ?? join(repoRoot, 'schemas'));
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => statSync(join(dir, name)).isDirectory())
      .sort();
  } catch (error) {
    err(`check-compat: cannot read the schemas directory ${dir}: ${(error as Error).message}`);
    return 2;
  }
  const show = (file: string) => relative(process.cwd(), file) || file;
  let pairsChecked = 0;
  let versionsSeen = 0;
  const failures: string[] = [];
  const report: Array<Record<string, unknown>> = [];
  out(`check-compat: mode ${mode} within each major version, schemas in ${show(dir)}`);
  for (const name of names) {
    const versions: VersionFile[] = [];
    for (const entry of readdirSync(join(dir, name)).sort()) {
      const match = VERSION_FILE.exec(entry);
      if (match)
        versions.push({ major: Number(match[1]), minor: Number(match[2]), file: join(dir, name, entry) });
      else if (entry.endsWith('.json'))
        out(`  ${name}: skipped ${entry} (not a <MAJOR.MINOR>.json version file)`);
    }
    versions.sort((a, b) => a.major - b.major || a.minor - b.minor);
    if (versions.length === 0) {
      out(`  ${name}: no version files`);
      continue;
    }
    versionsSeen += versions.length;
    const majors = [...new Set(versions.map((v) => v.major))];
    for (const major of majors) {
      const line = versions.filter((v) => v.major === major);
      const label = line.map((v) => `${v.major}.${v.minor}`).join(', ');
      const schemas: JsonSchema[] = [];
      let readable = true;
      for (const v of line) {
        try {
          schemas.push(await readSchemaFile(v.file));
        } catch (error) {
          if (!isInvalidSchemaFileError(error)) throw error;
          failures.push(`${name} ${v.major}.${v.minor}: ${error.message}`);
          readable = false;
        }
      }
      if (!readable) continue;
      const result = checkSchemaHistory(schemas, mode);
      pairsChecked += result.pairs.length;
      out(`  ${name} major ${major}: versions ${label} (each file read and valid against its meta-schema)`);
      if (result.pairs.length === 0) {
        out(
          `    no pair to check: ${line.length === 1 ? 'only one version in this major' : `mode ${mode} checks nothing`}`,
        );
      }
      for (const pair of result.pairs) {
        const a = line[pair.previousIndex]!;
        const b = line[pair.nextIndex]!;
        out(`    ${pair.compatible ? 'ok  ' : 'FAIL'} ${a.major}.${a.minor} -> ${b.major}.${b.minor}`);
        report.push({
          schema: name,
          previous: `${a.major}.${a.minor}`,
          next: `${b.major}.${b.minor}`,
          compatible: pair.compatible,
        });
      }
      for (const issue of result.issues) {
        const a = line[issue.previousIndex]!;
        const b = line[issue.nextIndex]!;
        const file = issue.schema === 'old' ? a.file : b.file;
        failures.push(
          `${name} ${a.major}.${a.minor} -> ${b.major}.${b.minor} [${issue.direction}] ${issue.code} at ${show(file)}${issue.path} (data ${issue.instancePath || '/'}): ${issue.message}`,
        );
      }
      if (majors.indexOf(major) > 0) {
        out(
          `    (major ${major} is a new major version: not checked against major ${majors[majors.indexOf(major) - 1]})`,
        );
      }
    }
  }
  if (values.json) out(JSON.stringify({ mode, pairs: report, failures }, null, 2));
  out(`check-compat: ${names.length} schemas, ${versionsSeen} version files, ${pairsChecked} pairs checked`);
  if (failures.length > 0) {
    err(`check-compat: ${failures.length} problem${failures.length === 1 ? '' : 's'}:`);
    for (const f of failures) err(`  - ${f}`);
    err(
      'A released minor version must stay readable by newer minor versions; put breaking changes in a new major version (docs/compatibility.md).',
    );
    return 1;
  }
  if (versionsSeen === 0) {
    err('check-compat: no schema version files found: nothing was checked');
    return 1;
  }
  out('check-compat: compatible');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(
      `check-compat: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 2;
  },
);
