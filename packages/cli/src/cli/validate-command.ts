/** `vmware-events validate`: events (files or standard input) against the SDK's JSON Schemas. */
import { parseArgs } from 'node:util';
import {
  DOMAIN_EVENT_TYPES,
  SUPPORTED_SCHEMA_VERSIONS,
  validateDomainEvent,
  validateEventHeaders,
  validateVmOperationEvent,
} from '@org/vmware-events-schema';
import type { ValidationIssue } from '@org/vmware-events-schema';
import { readInputItems } from './input.js';
import type { InputItem } from './input.js';
import { EXIT, UsageError } from './io.js';
import type { CommandIo } from './io.js';

const SCHEMAS = ['vm-operation-event', 'domain-event', 'event-headers'] as const;
type SchemaName = (typeof SCHEMAS)[number];

/** Help of `vmware-events validate`. */
export const VALIDATE_HELP = `Usage: vmware-events validate [--schema <name>] [--json] [--quiet] [<file>... | -]

Validates values against the SDK's JSON Schemas. A file holds one JSON value, or one JSON value per line
(NDJSON; from a JSON array: jq -c '.[]'). Without a file, or with -, standard input is read.

Options:
  --schema <name>  auto (default: told by each value's shape), ${SCHEMAS.join(', ')}
  --json           one result per value, as a JSON array on stdout
  --quiet          print only the invalid values and the summary
  -h, --help       this help

Schemas: vm-operation-event (each event by its schemaVersion: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}; a newer minor
is read leniently), domain-event (seed 002 {old, new, type, tenant}), event-headers (a record's headers as an
object of strings). auto: operationInfo → vm-operation-event; type ${DOMAIN_EVENT_TYPES.join('/')} with tenant →
domain-event; ce_specversion or contentVersion → event-headers.
Exit codes: 0 every value is valid, 1 a value is invalid or there was none, 2 usage or a file cannot be read.
`;

interface Result {
  where: string;
  schema: string;
  valid: boolean;
  issues: ValidationIssue[];
}

/** Runs `validate …` and returns the exit code. */
export async function runValidateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      schema: { type: 'string', default: 'auto' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  const schema = values.schema;
  if (schema !== 'auto' && !(SCHEMAS as readonly string[]).includes(schema)) {
    throw new UsageError(`Unknown --schema '${schema}': use auto, ${SCHEMAS.join(', ')}`);
  }
  const items = await readInputItems(positionals, io, { command: 'validate', splitArrays: false });
  const results = items.map((item) => check(item, schema as SchemaName | 'auto'));
  report(results, io, values.json === true, values.quiet === true);
  if (results.length === 0) return EXIT.failed;
  return results.every((r) => r.valid) ? EXIT.ok : EXIT.failed;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function detect(value: unknown): SchemaName | undefined {
  if (!isObject(value)) return undefined;
  if ('operationInfo' in value) return 'vm-operation-event';
  if ((DOMAIN_EVENT_TYPES as readonly unknown[]).includes(value.type) && 'tenant' in value)
    return 'domain-event';
  if ('ce_specversion' in value || 'contentVersion' in value) return 'event-headers';
  return undefined;
}

function check(item: InputItem, wanted: SchemaName | 'auto'): Result {
  const issue = (message: string): ValidationIssue[] => [{ path: '', message, keyword: 'input', params: {} }];
  if (item.unreadable !== undefined)
    return { where: item.where, schema: '-', valid: false, issues: issue(item.unreadable) };
  const schema = wanted === 'auto' ? detect(item.value) : wanted;
  if (schema === undefined) {
    return {
      where: item.where,
      schema: '?',
      valid: false,
      issues: issue(
        Array.isArray(item.value)
          ? "a JSON array is one value, not a list of events: write one event per line (jq -c '.[]'), or name the schema with --schema"
          : 'cannot tell which schema this value is for (no operationInfo, domain type with tenant, or ce_specversion); name it with --schema',
      ),
    };
  }
  const result =
    schema === 'vm-operation-event'
      ? validateVmOperationEvent(item.value)
      : schema === 'domain-event'
        ? validateDomainEvent(item.value)
        : validateEventHeaders(item.value);
  const version =
    schema === 'vm-operation-event' && isObject(item.value) ? item.value.schemaVersion : undefined;
  return {
    where: item.where,
    schema: typeof version === 'string' ? `${schema} ${version}` : schema,
    valid: result.valid,
    issues: result.valid ? [] : result.issues,
  };
}

function report(results: Result[], io: CommandIo, json: boolean, quiet: boolean): void {
  const invalid = results.filter((r) => !r.valid).length;
  if (json) {
    io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      if (r.valid && quiet) continue;
      io.stdout(`${r.valid ? 'ok  ' : 'FAIL'}  ${r.where}  ${r.schema}\n`);
      for (const i of r.issues) io.stdout(`        ${i.path === '' ? '/' : i.path}: ${i.message}\n`);
    }
  }
  const summary =
    results.length === 0
      ? 'no values to validate'
      : `${results.length - invalid} valid, ${invalid} invalid (${results.length} value${results.length === 1 ? '' : 's'})`;
  (json ? io.stderr : io.stdout)(`${summary}\n`);
}
