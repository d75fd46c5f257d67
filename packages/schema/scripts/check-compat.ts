/**
 * `pnpm --filter @org/vmware-events-schema check:compat` (CI): every version of every schema under
 * `schemas/<name>/<MAJOR.MINOR>.json` must be compatible with the versions before it in the same major.
 *
 * The project's policy (docs/schema-evolution.md, docs/compatibility.md), checked within each major version:
 *   1. BACKWARD_TRANSITIVE, schemas as written: the newest minor reads every event of every earlier minor.
 *      Any issue fails CI.
 *   2. FORWARD_TRANSITIVE with lenient readers: a consumer on any earlier minor, validating in lenient mode
 *      (additionalProperties: false removed), reads events of the newer minor. Any issue fails CI, except the
 *      changes the evolution rules allow in a minor with a rollout caveat (ROLLOUT_CAVEATS: a new enum value, a
 *      relaxed range or length), which step 1 has already shown to be relaxations: they are printed as warnings.
 * A new major version is a deliberate break and is not checked against the previous major. The pairs checked
 * are always printed, so a run that checks nothing says so.
 *
 * Options: --mode <mode> (check only this mode, schemas as written, every issue fails), --schemas-dir <dir>
 * (default: <repo>/schemas).
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
import type { CompatibilityMode, CompatibilityOptions, CompatibilityRule, JsonSchema } from '../src/index.js';

interface Check {
  label: string;
  mode: CompatibilityMode;
  options: CompatibilityOptions;
  /** Rules reported as warnings instead of failures. */
  warnOnly: ReadonlySet<CompatibilityRule>;
}

/**
 * Forward issues that docs/schema-evolution.md allows in a minor version: a new enum value (a new operation) and a
 * relaxed constraint (a lower `minimum`, a higher `maximum`, a longer `maxLength`, a shorter `minLength`). The
 * backward check, which fails on every issue, has already shown that the change only relaxes; what remains is the
 * rollout caveat that a reader still on an older minor refuses (dead-letters) events using the new values.
 */
const ROLLOUT_CAVEATS = new Set<CompatibilityRule>([
  'ENUM_NARROWED',
  'MINIMUM_INCREASED',
  'MAXIMUM_DECREASED',
  'MIN_LENGTH_INCREASED',
  'MAX_LENGTH_DECREASED',
]);

const POLICY: Check[] = [
  { label: 'backward', mode: 'BACKWARD_TRANSITIVE', options: {}, warnOnly: new Set() },
  {
    label: 'forward, lenient readers',
    mode: 'FORWARD_TRANSITIVE',
    options: { lenientReaders: true },
    warnOnly: ROLLOUT_CAVEATS,
  },
];

const VERSION_FILE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.json$/;

interface VersionFile {
  major: number;
  minor: number;
  file: string;
}

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, 'schemas-dir': { type: 'string' } } });
  let checks = POLICY;
  if (values.mode !== undefined) {
    if (!isCompatibilityMode(values.mode)) {
      err(
        `check-compat: unknown --mode ${JSON.stringify(values.mode)} (expected one of ${COMPATIBILITY_MODES.join(', ')})`,
      );
      return 2;
    }
    checks = [{ label: values.mode, mode: values.mode, options: {}, warnOnly: new Set() }];
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
  let families = 0;
  let versionsSeen = 0;
  const failures: string[] = [];
  const warnings: string[] = [];
  out(
    `check-compat: within each major version: ${checks.map((c) => `${c.mode}${c.options.lenientReaders ? ' (lenient readers)' : ''}`).join(' + ')}; schemas in ${show(dir)}`,
  );
  for (const name of names) {
    const versions: VersionFile[] = [];
    const others: string[] = [];
    for (const entry of readdirSync(join(dir, name)).sort()) {
      const match = VERSION_FILE.exec(entry);
      if (match)
        versions.push({ major: Number(match[1]), minor: Number(match[2]), file: join(dir, name, entry) });
      else if (entry.endsWith('.json')) others.push(entry);
    }
    versions.sort((a, b) => a.major - b.major || a.minor - b.minor);
    if (versions.length === 0) {
      out(`  skipped ${name}/: no <MAJOR.MINOR>.json version files (not a schema family)`);
      continue;
    }
    if (others.length > 0)
      out(`  ${name}: ignored ${others.join(', ')} (not <MAJOR.MINOR>.json version files)`);
    families += 1;
    versionsSeen += versions.length;
    const majors = [...new Set(versions.map((v) => v.major))];
    for (const [m, major] of majors.entries()) {
      const line = versions.filter((v) => v.major === major);
      const schemas: JsonSchema[] = [];
      for (const v of line) {
        try {
          schemas.push(await readSchemaFile(v.file));
        } catch (error) {
          if (!isInvalidSchemaFileError(error)) throw error;
          failures.push(`${name} ${v.major}.${v.minor}: ${error.message}`);
        }
      }
      if (schemas.length !== line.length) continue;
      const tag = (v: VersionFile) => `${v.major}.${v.minor}`;
      out(
        `  ${name} major ${major}: versions ${line.map(tag).join(', ')} (each file read and valid against its meta-schema)`,
      );
      if (m > 0) out(`    major ${major} is a new major version: not checked against major ${majors[m - 1]}`);
      for (const check of checks) {
        const result = checkSchemaHistory(schemas, check.mode, check.options);
        pairsChecked += result.pairs.length;
        if (result.pairs.length === 0) {
          out(
            `    ${check.label}: no pair to check (${line.length === 1 ? 'only one version in this major' : `mode ${check.mode}`})`,
          );
        }
        for (const pair of result.pairs) {
          const issues = result.issues.filter(
            (i) => i.previousIndex === pair.previousIndex && i.nextIndex === pair.nextIndex,
          );
          const failing = issues.some((i) => !check.warnOnly.has(i.code));
          const status = pair.compatible ? 'ok  ' : failing ? 'FAIL' : 'warn';
          out(
            `    ${check.label}: ${status} ${tag(line[pair.previousIndex]!)} -> ${tag(line[pair.nextIndex]!)}`,
          );
        }
        for (const issue of result.issues) {
          const a = line[issue.previousIndex]!;
          const b = line[issue.nextIndex]!;
          const file = issue.schema === 'old' ? a.file : b.file;
          const text = `${name} ${tag(a)} -> ${tag(b)} (${check.label}) ${issue.code} at ${show(file)}${issue.path} (data ${issue.instancePath || '/'}): ${issue.message}`;
          (check.warnOnly.has(issue.code) ? warnings : failures).push(text);
        }
      }
    }
  }
  out(`check-compat: ${families} schemas, ${versionsSeen} version files, ${pairsChecked} pairs checked`);
  if (warnings.length > 0) {
    out(
      `check-compat: ${warnings.length} warning${warnings.length === 1 ? '' : 's'} (allowed in a minor version: readers on an older minor dead-letter events that use the new values, so roll out consumers before producers write them):`,
    );
    for (const w of warnings) out(`  - ${w}`);
  }
  if (failures.length > 0) {
    err(`check-compat: ${failures.length} problem${failures.length === 1 ? '' : 's'}:`);
    for (const f of failures) err(`  - ${f}`);
    err(
      'A minor version must stay compatible with every earlier minor of its major; put breaking changes in a new major version (docs/schema-evolution.md, docs/compatibility.md).',
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
