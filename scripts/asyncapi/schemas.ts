/**
 * The JSON Schemas of schemas/, every family and every version found there, as AsyncAPI component schemas: each
 * copied whole, its `#/definitions/…` references rewritten to point inside the AsyncAPI document, so the document
 * stands alone. Examples come from the valid test vectors of the same family and version.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  SCHEMAS_DIR,
  SCHEMA_NAMES,
  listVersions,
  readSchema,
} from '../../packages/schema/scripts/lib/schemas.js';
import type { JsonSchema, SchemaName } from '../../packages/schema/scripts/lib/schemas.js';

/** Folders of schemas/ that hold no schema family. */
const NOT_FAMILIES = new Set(['test-vectors']);

/** The component key of a family version: `vm-operation-event-1.0`. */
export const schemaKey = (name: SchemaName, version: string) => `${name}-${version}`;

/** One schema version, ready for `components.schemas`. */
export interface EmbeddedSchema {
  name: SchemaName;
  version: string;
  key: string;
  /** The original `$id`: where the schema is published. */
  id: string;
  title: string;
  schema: JsonSchema;
  /** Valid test vectors of this family and version (their values). */
  examples: unknown[];
}

/**
 * Every version of every family in schemas/, oldest first. Fails on a folder that looks like a new family, so a
 * family cannot be left out of the document by accident.
 */
export function readSchemaFamilies(): Map<SchemaName, EmbeddedSchema[]> {
  const known = new Set<string>(SCHEMA_NAMES);
  const unknown = readdirSync(SCHEMAS_DIR)
    .filter((entry) => statSync(join(SCHEMAS_DIR, entry)).isDirectory())
    .filter((entry) => !known.has(entry) && !NOT_FAMILIES.has(entry));
  if (unknown.length > 0) {
    throw new Error(
      `schemas/${unknown[0]}/ is a schema family the AsyncAPI generator does not place on a channel: add it to scripts/asyncapi/document.ts (and SCHEMA_NAMES)`,
    );
  }
  const vectors = readVectors();
  const families = new Map<SchemaName, EmbeddedSchema[]>();
  for (const name of SCHEMA_NAMES) {
    const versions = listVersions(name);
    if (versions.length === 0) throw new Error(`schemas/${name}/ has no version`);
    families.set(
      name,
      versions.map((version) => {
        const key = schemaKey(name, version);
        const original = readSchema(name, version);
        return {
          name,
          version,
          key,
          id: String(original.$id),
          title: String(original.title),
          schema: embed(original, key),
          examples: vectors.filter((v) => v.schema === name && v.version === version).map((v) => v.value),
        };
      }),
    );
  }
  return families;
}

/**
 * The schema without `$schema` and `$id` (the document is its own base for references), with every
 * `#/definitions/X` reference made absolute in the document: `#/components/schemas/<key>/definitions/X`.
 */
function embed(schema: JsonSchema, key: string): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  const rewrite = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => rewrite(item, `${path}/${i}`));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref') {
        if (typeof v !== 'string' || !v.startsWith('#/definitions/')) {
          throw new Error(
            `${key}${path}: only #/definitions/… references can be embedded, found ${JSON.stringify(v)}`,
          );
        }
        out[k] = `#/components/schemas/${key}${v.slice(1)}`;
      } else {
        out[k] = rewrite(v, `${path}/${k}`);
      }
    }
    return out;
  };
  return rewrite(rest, '') as JsonSchema;
}

interface Vector {
  file: string;
  schema: string;
  version: string;
  valid: boolean;
  mode?: string;
  value: unknown;
}

function readVectors(): Vector[] {
  const index = join(SCHEMAS_DIR, 'test-vectors', 'index.json');
  if (!existsSync(index)) return [];
  const { vectors } = JSON.parse(readFileSync(index, 'utf8')) as { vectors: Array<Omit<Vector, 'value'>> };
  return vectors
    .filter((v) => v.valid && v.mode === undefined)
    .map((v) => ({
      ...v,
      value: JSON.parse(readFileSync(join(SCHEMAS_DIR, 'test-vectors', v.file), 'utf8')) as unknown,
    }));
}
