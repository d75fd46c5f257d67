/**
 * Rules every schema file in schemas/ follows: identity ($id/title/description), a description on every property
 * and definition, enums for closed value sets, the closed content model, and a released.json entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DOMAIN_EVENT_TYPES,
  OPERATIONS,
  OPERATION_DETAILS,
  RESOURCE_OPERATIONS,
  STATE_OPERATIONS,
} from '@org/vmware-events-schema';
import { SCHEMA_NAMES, listVersions } from '../../scripts/lib/schemas.js';

type Schema = Record<string, unknown>;
const SCHEMAS = fileURLToPath(new URL('../../../../schemas/', import.meta.url));
const files = SCHEMA_NAMES.flatMap((name) => listVersions(name).map((version) => ({ name, version })));
const read = (name: string, version: string) =>
  JSON.parse(readFileSync(join(SCHEMAS, name, `${version}.json`), 'utf8')) as Schema;

/** Every property schema and definition, with its JSON pointer. */
function walk(schema: Schema, pointer = '#'): Array<[string, Schema]> {
  const out: Array<[string, Schema]> = [];
  for (const key of ['properties', 'definitions'] as const) {
    const children = schema[key] as Record<string, Schema> | undefined;
    for (const [name, child] of Object.entries(children ?? {})) {
      out.push([`${pointer}/${key}/${name}`, child], ...walk(child, `${pointer}/${key}/${name}`));
    }
  }
  if (typeof schema.additionalProperties === 'object') {
    out.push([`${pointer}/additionalProperties`, schema.additionalProperties as Schema]);
  }
  return out;
}

describe.each(files.map((f) => [`${f.name}/${f.version}.json`, f] as const))(
  '%s',
  (_file, { name, version }) => {
    const schema = read(name, version);

    it('has draft-07, an $id ending in <name>/<version>.json, a title and a description', () => {
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(String(schema.$id)).toMatch(new RegExp(`/${name}/${version.replace('.', '\\.')}\\.json$`));
      expect(typeof schema.title).toBe('string');
      expect(String(schema.description).length).toBeGreaterThan(40);
    });

    it('describes every property and definition (directly or through its $ref target)', () => {
      const undocumented = walk(schema)
        .filter(([, child]) => {
          if (typeof child.description === 'string' && child.description.length > 0) return false;
          const ref = child.$ref as string | undefined;
          if (!ref) return true;
          const target = ref
            .replace(/^#\//, '')
            .split('/')
            .reduce<unknown>((node, part) => (node as Schema)[part], schema) as Schema;
          return typeof target.description !== 'string';
        })
        .map(([pointer]) => pointer);
      expect(undocumented).toEqual([]);
    });

    it('is closed: every object it owns sets additionalProperties', () => {
      const open = walk(schema)
        .filter(([, child]) => child.type === 'object' && child.additionalProperties === undefined)
        .map(([pointer]) => pointer);
      // Entity states of domain events belong to another module: deliberately open.
      expect(open).toEqual(
        name === 'domain-event' ? ['#/definitions/OldState', '#/definitions/NewState'] : [],
      );
    });

    it('is recorded in schemas/released.json', () => {
      const ledger = JSON.parse(readFileSync(join(SCHEMAS, 'released.json'), 'utf8')) as {
        released: Record<string, string>;
      };
      expect(ledger.released[`${name}/${version}.json`]).toMatch(/^[0-9a-f]{64}$/);
    });
  },
);

describe('enums', () => {
  it('the exported constants are the schema enums, and resource + state operations partition the operations', () => {
    const vm = read('vm-operation-event', '1.0') as { definitions: Record<string, { enum: string[] }> };
    expect(OPERATIONS).toEqual(vm.definitions.Operation!.enum);
    expect(RESOURCE_OPERATIONS).toEqual(['create', 'resize']);
    expect([...RESOURCE_OPERATIONS, ...STATE_OPERATIONS].sort()).toEqual([...OPERATIONS].sort());
    const headers = read('event-headers', '1.0') as { properties: Record<string, { enum?: string[] }> };
    expect(headers.properties.operationType!.enum).toEqual(OPERATIONS);
    const domain = read('domain-event', '1.0') as { definitions: Record<string, { enum?: string[] }> };
    expect(domain.definitions.DomainEventType!.enum).toEqual(DOMAIN_EVENT_TYPES);
    const v11 = read('vm-operation-event', '1.1') as { definitions: Record<string, { enum: string[] }> };
    expect(OPERATION_DETAILS).toEqual(v11.definitions.OperationDetail!.enum);
  });
});
