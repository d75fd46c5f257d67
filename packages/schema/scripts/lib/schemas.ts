/**
 * Shared helpers for the schema scripts: where the schemas live, which versions exist, and how a
 * released (closed) schema becomes its lenient form for events of a newer minor version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the scripts live in packages/schema/scripts/lib). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The `schemas/` directory: the source of truth (`VMW_SCHEMAS_DIR` points the scripts elsewhere, for their tests). */
export const SCHEMAS_DIR = process.env.VMW_SCHEMAS_DIR ?? join(REPO_ROOT, 'schemas');
/** The schema package. */
export const PACKAGE_DIR = join(REPO_ROOT, 'packages/schema');
/** Where generated files go (`VMW_GENERATED_DIR` points check:generated elsewhere, for its tests). */
export const GENERATED_DIR = process.env.VMW_GENERATED_DIR ?? join(PACKAGE_DIR, 'src/generated');

/** The schema families, in the order they are generated. */
export const SCHEMA_NAMES = ['vm-operation-event', 'domain-event', 'event-headers'] as const;
/** A schema family. */
export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** A JSON Schema document, as read from disk. */
export type JsonSchema = Record<string, unknown>;

const VERSION_FILE = /^([1-9][0-9]*|0)\.(0|[1-9][0-9]*)\.json$/;

/** The versions of a schema family present in schemas/<name>/, oldest first (`['1.0', '1.1', …]`). */
export function listVersions(name: SchemaName): string[] {
  return readdirSync(join(SCHEMAS_DIR, name))
    .map((file) => VERSION_FILE.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([major, minor]) => `${major}.${minor}`);
}

/** Read schemas/<name>/<version>.json. */
export function readSchema(name: SchemaName, version: string): JsonSchema {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, name, `${version}.json`), 'utf8')) as JsonSchema;
}

/**
 * The lenient form of a schema: every `additionalProperties: false` removed, so unknown properties
 * (added by a newer minor version) are ignored while every known property is still validated.
 */
export function toLenient(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toLenient);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = toLenient(value);
  }
  return out;
}

/**
 * Definitions of vm-operation-event whose values travel as headers too and whose checks a producer can vouch for (see
 * toTrustedEnvelope): the ones it fills in itself when the caller leaves them out, and a VM's environment and tenant,
 * which it has seen pass the full check before.
 */
export const ENVELOPE_DEFINITIONS = [
  'SchemaVersion',
  'EventId',
  'CorrelationId',
  'Source',
  'Timestamp',
  'Environment',
  'TenantId',
] as const;

/**
 * The vm-operation-event schema without the `pattern` and `format` checks of the envelope values (ENVELOPE_DEFINITIONS:
 * schema version, event id, correlation id, source, timestamp, environment, tenant): their types, lengths and presence
 * are still checked, and so is everything else. Only for values a producer vouches for (see
 * validateVmOperationEventTrustingEnvelope).
 */
export function toTrustedEnvelope(schema: Record<string, unknown>): Record<string, unknown> {
  const definitions = { ...(schema.definitions as Record<string, Record<string, unknown>>) };
  for (const name of ENVELOPE_DEFINITIONS) {
    const definition = definitions[name];
    if (definition === undefined) throw new Error(`vm-operation-event has no definition ${name}`);
    const { pattern, format, ...rest } = definition;
    if (pattern === undefined && format === undefined) {
      throw new Error(`definition ${name} has neither pattern nor format: update ENVELOPE_DEFINITIONS`);
    }
    definitions[name] = rest;
  }
  return { ...schema, definitions };
}
