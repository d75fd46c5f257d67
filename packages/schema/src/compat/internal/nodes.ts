import type { JsonSchema } from '../types.js';

/** A schema document being compared, with an index of its embedded `$id`s and anchors. */
export interface Doc {
  readonly label: 'old' | 'new';
  readonly root: JsonSchema;
  readonly base: string;
  /** Absolute `$id` (without fragment) or `base#anchor` → location. */
  readonly ids: Map<string, { schema: JsonSchema; pointer: string }>;
}

/** A subschema and where it lives. */
export interface Node {
  readonly schema: JsonSchema;
  readonly doc: Doc;
  /** URI-fragment JSON Pointer, `#` for the root. */
  readonly pointer: string;
}

export type SchemaObject = Readonly<Record<string, unknown>>;

/** Keywords that never constrain data. */
export const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  'example',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$schema',
  '$id',
  'id',
  '$anchor',
  '$dynamicAnchor',
  '$recursiveAnchor',
  '$defs',
  'definitions',
  '$vocabulary',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
  'discriminator',
  'nullable',
  'tsType',
]);

export function isAnnotation(keyword: string): boolean {
  return ANNOTATIONS.has(keyword) || keyword.startsWith('x-');
}

export function isObject(schema: unknown): schema is SchemaObject {
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema);
}

const DUMMY_BASE = 'urn:vmware-events-compat:root';

function stripFragment(uri: string): string {
  const i = uri.indexOf('#');
  return i === -1 ? uri : uri.slice(0, i);
}

function resolveUri(ref: string, base: string): string {
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function childPointer(pointer: string, ...tokens: Array<string | number>): string {
  return tokens.reduce<string>((p, t) => `${p}/${escapePointer(String(t))}`, pointer);
}

/** Builds the document index: `$id`s (resolved against their parent's base) and `$anchor`s. */
export function createDoc(label: 'old' | 'new', root: JsonSchema): Doc {
  const rootId = isObject(root) ? (root.$id ?? root.id) : undefined;
  const base = typeof rootId === 'string' ? resolveUri(rootId, DUMMY_BASE) : DUMMY_BASE;
  const ids = new Map<string, { schema: JsonSchema; pointer: string }>();
  const seen = new Set<unknown>();
  const visit = (value: unknown, pointer: string, parentBase: string): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, childPointer(pointer, i), parentBase));
      return;
    }
    const obj = value as SchemaObject;
    let here = parentBase;
    const id = obj.$id ?? obj.id;
    if (typeof id === 'string') {
      if (id.startsWith('#') && id.length > 1) {
        ids.set(`${stripFragment(parentBase)}${id}`, { schema: obj, pointer });
      } else {
        here = resolveUri(id, parentBase);
        ids.set(stripFragment(here), { schema: obj, pointer });
      }
    }
    if (typeof obj.$anchor === 'string')
      ids.set(`${stripFragment(here)}#${obj.$anchor}`, { schema: obj, pointer });
    for (const [key, child] of Object.entries(obj)) {
      // enum/const/examples/default hold data, not schemas.
      if (key === 'enum' || key === 'const' || key === 'examples' || key === 'default') continue;
      visit(child, childPointer(pointer, key), here);
    }
  };
  visit(root, '#', base);
  ids.set(stripFragment(base), { schema: root, pointer: '#' });
  return { label, root, base, ids };
}

function walkPointer(
  from: { schema: JsonSchema; pointer: string },
  fragment: string,
): Node['schema'] | undefined {
  if (fragment === '' || fragment === '/') return fragment === '' ? from.schema : undefined;
  if (!fragment.startsWith('/')) return undefined;
  let current: unknown = from.schema;
  for (const raw of fragment.slice(1).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current as JsonSchema;
}

/** Resolves a `$ref` found in `node` (local pointers, embedded `$id`s, anchors). Undefined when not resolvable. */
export function resolveRef(node: Node, ref: string): Node | undefined {
  const doc = node.doc;
  const absolute = resolveUri(ref, doc.base);
  const hash = absolute.indexOf('#');
  const resource = hash === -1 ? absolute : absolute.slice(0, hash);
  const fragment = hash === -1 ? '' : absolute.slice(hash + 1);
  if (fragment !== '' && !fragment.startsWith('/')) {
    const anchored = doc.ids.get(`${resource}#${decodeURIComponent(fragment)}`);
    return anchored ? { schema: anchored.schema, doc, pointer: anchored.pointer } : undefined;
  }
  const target = doc.ids.get(resource);
  if (!target) return undefined;
  const schema = walkPointer(target, fragment);
  if (schema === undefined || (typeof schema !== 'boolean' && !isObject(schema))) return undefined;
  const pointer = `${target.pointer}${fragment}`;
  return { schema, doc, pointer };
}

/** The result of flattening a schema into the list of schemas that all apply (its conjunction). */
export interface Expansion {
  conjuncts: Node[];
  /** `$ref`s that could not be resolved, with the node holding them. */
  unresolved: Array<{ node: Node; ref: string }>;
}

/**
 * Flattens `$ref` (whose siblings still apply, as in Ajv and 2019-09+) and `allOf` into the list of
 * subschemas that all apply to the same data. Each returned node has neither `$ref` nor `allOf`.
 */
export function expand(nodes: readonly Node[]): Expansion {
  const conjuncts: Node[] = [];
  const unresolved: Expansion['unresolved'] = [];
  const active = new Set<string>();
  const visit = (node: Node, depth: number): void => {
    const key = `${node.doc.label}${node.pointer}`;
    if (active.has(key) || depth > 64) return; // a $ref cycle that adds no constraint of its own
    const schema = node.schema;
    if (!isObject(schema)) {
      conjuncts.push(node);
      return;
    }
    if (!('$ref' in schema) && !('allOf' in schema)) {
      conjuncts.push(node);
      return;
    }
    active.add(key);
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) if (k !== '$ref' && k !== 'allOf') rest[k] = v;
    if (Object.keys(rest).some((k) => !isAnnotation(k)))
      conjuncts.push({ schema: rest, doc: node.doc, pointer: node.pointer });
    if (typeof schema.$ref === 'string') {
      const target = resolveRef(node, schema.$ref);
      if (target) visit(target, depth + 1);
      else unresolved.push({ node, ref: schema.$ref });
    }
    if (Array.isArray(schema.allOf)) {
      schema.allOf.forEach((sub, i) =>
        visit(
          { schema: sub as JsonSchema, doc: node.doc, pointer: childPointer(node.pointer, 'allOf', i) },
          depth + 1,
        ),
      );
    }
    active.delete(key);
  };
  for (const node of nodes) visit(node, 0);
  return { conjuncts, unresolved };
}

/** A child subschema of `node` under `keyword` (and optional key/index), or undefined. */
export function child(node: Node, keyword: string, key?: string | number): Node | undefined {
  if (!isObject(node.schema)) return undefined;
  let value: unknown = node.schema[keyword];
  let pointer = childPointer(node.pointer, keyword);
  if (key !== undefined) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isObject(value) && typeof key === 'string' && Object.hasOwn(value, key)) value = value[key];
    else return undefined;
    pointer = childPointer(pointer, key);
  }
  if (typeof value === 'boolean' || isObject(value)) return { schema: value, doc: node.doc, pointer };
  return undefined;
}

/** True when the schema accepts everything (`true`, `{}` or annotations only). */
export function isTrivial(schema: JsonSchema): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  return Object.keys(schema).every(isAnnotation);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_KEYWORDS = new Set([
  'not',
  'if',
  'then',
  'else',
  'additionalProperties',
  'additionalItems',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'items',
]);

/**
 * Whether two subschemas constrain data identically as written: keyword by keyword, ignoring annotations
 * and following `$ref`s on both sides. False does not mean different, only "not proven equal".
 */
export function equalSchemas(a: Node, b: Node, seen: Set<string> = new Set()): boolean {
  const key = `${a.doc.label}${a.pointer}|${b.doc.label}${b.pointer}`;
  if (seen.has(key)) return true;
  seen.add(key);
  const sa = a.schema;
  const sb = b.schema;
  if (typeof sa === 'boolean' || typeof sb === 'boolean') {
    if (typeof sa === 'boolean' && typeof sb === 'boolean') return sa === sb;
    const obj = (typeof sa === 'boolean' ? sb : sa) as SchemaObject;
    return (typeof sa === 'boolean' ? sa : sb) === true && Object.keys(obj).every(isAnnotation);
  }
  const ka = Object.keys(sa).filter((k) => !isAnnotation(k));
  const kb = Object.keys(sb).filter((k) => !isAnnotation(k));
  if (ka.length !== kb.length || !ka.every((k) => Object.hasOwn(sb, k))) return false;
  for (const k of ka) {
    const va = sa[k];
    const vb = sb[k];
    if (k === '$ref') {
      if (typeof va !== 'string' || typeof vb !== 'string') return false;
      const ta = resolveRef(a, va);
      const tb = resolveRef(b, vb);
      if (!ta || !tb) return false;
      if (!equalSchemas(ta, tb, seen)) return false;
    } else if (SCHEMA_MAP_KEYWORDS.has(k) || (k === 'dependencies' && isObject(va))) {
      if (!isObject(va) || !isObject(vb)) return false;
      const names = Object.keys(va);
      if (names.length !== Object.keys(vb).length) return false;
      for (const name of names) {
        if (!Object.hasOwn(vb, name)) return false;
        if (Array.isArray(va[name]) || Array.isArray(vb[name])) {
          if (!jsonEqual(va[name], vb[name])) return false;
          continue;
        }
        const ca = child(a, k, name);
        const cb = child(b, k, name);
        if (!ca || !cb || !equalSchemas(ca, cb, seen)) return false;
      }
    } else if (SCHEMA_LIST_KEYWORDS.has(k) || (k === 'items' && Array.isArray(va))) {
      if (!Array.isArray(va) || !Array.isArray(vb) || va.length !== vb.length) return false;
      for (let i = 0; i < va.length; i++) {
        const ca = child(a, k, i);
        const cb = child(b, k, i);
        if (!ca || !cb || !equalSchemas(ca, cb, seen)) return false;
      }
    } else if (SCHEMA_KEYWORDS.has(k)) {
      const ca = child(a, k);
      const cb = child(b, k);
      if (!ca || !cb || !equalSchemas(ca, cb, seen)) return false;
    } else if (!jsonEqual(va, vb)) {
      return false;
    }
  }
  return true;
}
