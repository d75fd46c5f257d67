import { parseArgs } from 'node:util';
import { checkSchemaHistory, isCompatibilityMode } from './check.js';
import { isInvalidSchemaFileError } from './errors.js';
import { readSchemaFile } from './files.js';
import { COMPATIBILITY_MODES } from './types.js';
import type { CompatibilityMode, HistoryCompatibilityResult, JsonSchema } from './types.js';

/** Where the CLI writes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes of the CLI. */
export const CLI_EXIT = { compatible: 0, incompatible: 1, usage: 2 } as const;

/** Options of {@link runCli}. */
export interface CliOptions {
  /** The command name shown in the help (`vmware-events-schema`, or `vmware-events` when it forwards here). */
  program?: string;
}

const usage = (
  program: string,
) => `Usage: ${program} compat [--mode <mode>] [--json] <old.json> <new.json> [<newer.json> ...]

Checks that each JSON Schema file may follow the earlier ones (files oldest first).

Options:
  --mode <mode>  ${COMPATIBILITY_MODES.join(' | ')}
                 (default BACKWARD; _TRANSITIVE checks every earlier file, not only the previous one)
  --lenient-readers
                 readers ignore unknown properties (every additionalProperties: false removed
                 from the reading schema), as the SDK validates events of a newer minor version
  --json         machine-readable output on stdout
  -h, --help     this help

Exit codes: 0 compatible, 1 incompatible (issues printed), 2 usage or file error.
`;

/**
 * Runs the CLI with `argv` (without `node` and the script: `['compat', '--mode', 'FULL', 'a.json', 'b.json']`) and
 * returns the exit code (see {@link CLI_EXIT}). The `vmware-events compat` command forwards here.
 */
export async function runCli(argv: readonly string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  const USAGE = usage(options.program ?? 'vmware-events-schema');
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? CLI_EXIT.usage : CLI_EXIT.compatible;
  }
  if (command !== 'compat') {
    io.stderr(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
    return CLI_EXIT.usage;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return CLI_EXIT.usage;
  }
  if (parsed.values.help) {
    io.stdout(USAGE);
    return CLI_EXIT.compatible;
  }
  const mode = parsed.values.mode ?? 'BACKWARD';
  if (!isCompatibilityMode(mode)) {
    io.stderr(`Unknown --mode ${JSON.stringify(mode)}: expected one of ${COMPATIBILITY_MODES.join(', ')}.\n`);
    return CLI_EXIT.usage;
  }
  const files = parsed.positionals;
  if (files.length < 2) {
    io.stderr(`compat needs at least two schema files (oldest first), got ${files.length}.\n\n${USAGE}`);
    return CLI_EXIT.usage;
  }
  const schemas: JsonSchema[] = [];
  for (const file of files) {
    try {
      schemas.push(await readSchemaFile(file));
    } catch (error) {
      if (!isInvalidSchemaFileError(error)) throw error;
      if (parsed.values.json)
        io.stdout(
          `${JSON.stringify({ error: { code: error.code, file, problems: error.problems } }, null, 2)}\n`,
        );
      io.stderr(`error: ${error.message}\n`);
      return CLI_EXIT.usage;
    }
  }
  const result = checkSchemaHistory(schemas, mode, {
    lenientReaders: parsed.values['lenient-readers'] === true,
  });
  if (parsed.values.json) io.stdout(`${JSON.stringify(toJson(result, files, mode), null, 2)}\n`);
  else io.stdout(formatText(result, files, mode));
  return result.compatible ? CLI_EXIT.compatible : CLI_EXIT.incompatible;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      mode: { type: 'string', short: 'm' },
      json: { type: 'boolean' },
      'lenient-readers': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function toJson(result: HistoryCompatibilityResult, files: string[], mode: CompatibilityMode) {
  return {
    mode,
    compatible: result.compatible,
    files,
    pairs: result.pairs.map((p) => ({
      previous: files[p.previousIndex],
      next: files[p.nextIndex],
      compatible: p.compatible,
    })),
    issues: result.issues.map((i) => ({
      previous: files[i.previousIndex],
      next: files[i.nextIndex],
      code: i.code,
      direction: i.direction,
      path: i.path,
      schema: i.schema,
      file: i.schema === 'old' ? files[i.previousIndex] : files[i.nextIndex],
      instancePath: i.instancePath,
      message: i.message,
    })),
  };
}

function formatText(result: HistoryCompatibilityResult, files: string[], mode: CompatibilityMode): string {
  const lines: string[] = [];
  if (mode === 'NONE') {
    lines.push(`Mode NONE: no compatibility check (${files.length} files read and valid).`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `Mode ${mode}: ${result.pairs.length} pair${result.pairs.length === 1 ? '' : 's'} checked (files oldest first)`,
  );
  for (const pair of result.pairs) {
    const count = result.issues.filter(
      (i) => i.previousIndex === pair.previousIndex && i.nextIndex === pair.nextIndex,
    ).length;
    lines.push(
      `  ${pair.compatible ? 'ok  ' : 'FAIL'} ${files[pair.previousIndex]} -> ${files[pair.nextIndex]}${pair.compatible ? '' : ` (${count} issue${count === 1 ? '' : 's'})`}`,
    );
  }
  if (!result.compatible) {
    lines.push('', 'Issues:');
    for (const i of result.issues) {
      const file = i.schema === 'old' ? files[i.previousIndex] : files[i.nextIndex];
      lines.push(`  [${i.direction}] ${i.code} ${files[i.previousIndex]} -> ${files[i.nextIndex]}`);
      lines.push(`      at ${file}${i.path}  (data ${i.instancePath === '' ? '/' : i.instancePath})`);
      lines.push(`      ${i.message}`);
    }
  }
  lines.push(
    '',
    result.compatible
      ? 'Compatible.'
      : `Incompatible: ${result.issues.length} issue${result.issues.length === 1 ? '' : 's'}.`,
  );
  return `${lines.join('\n')}\n`;
}
