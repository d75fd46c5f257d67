/**
 * The comparison engine. One question only: does every value valid under the WRITER schema validate under the
 * READER schema (with Confluent's content-model rules on top)? Backward = writer old, reader new; forward is the
 * same question with the arguments swapped, so the two directions cannot drift.
 *
 * Soundness rule: a writer constraint the engine does not understand may be ignored (the writer only gets
 * broader, so the check gets stricter); a reader constraint it does not understand is reported as
 * UNSUPPORTED_CHANGE unless the writer carries the identical keyword. Nothing undecided passes silently.
 */
import type { CompatibilityDirection, CompatibilityIssue, CompatibilityRule, JsonSchema } from '../types.js';
import {
  child,
  childPointer,
  equalSchemas,
  expand,
  isAnnotation,
  isObject,
  isTrivial,
  jsonEqual,
} from './nodes.js';
import type { Doc, Node, SchemaObject } from './nodes.js';
import { failedKeyword, isMultiple, isScalar, typeOf } from './values.js';
import type { ScalarKeyword } from './values.js';

const MAX_CASES = 256;
const MAX_STEPS = 200_000;
const MAX_DEPTH = 128;

interface Ctx {
  direction: CompatibilityDirection;
  /** 'old' or 'new': the schema the data was written with, and the reader's. */
  writer: 'old' | 'new';
  reader: 'old' | 'new';
  issues: CompatibilityIssue[];
  keys: Set<string>;
  active: Set<string>;
  depth: number;
  budget: { steps: number };
}

/** One way the writer's data can look: a conjunction of subschemas without `$ref`/`allOf`/`anyOf`/`oneOf`/`if`. */
interface WriterCase {
  conj: Node[];
  /** `if` schemas this case is known to satisfy. */
  positive: Node[];
  /** `if` schemas this case is known NOT to satisfy. */
  negated: Node[];
  /** oneOf/anyOf branches chosen to build this case. */
  choices: Array<{ owner: Node; keyword: 'oneOf' | 'anyOf'; index: number }>;
  unresolved: Array<{ node: Node; ref: string }>;
}

class TooComplexError extends Error {}

const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'string', 'integer', 'number'] as const;

/** Keywords the engine checks on the reader side. */
const KNOWN = new Set([
  'type',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'minProperties',
  'maxProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  'items',
  'prefixItems',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'anyOf',
  'oneOf',
  'if',
  'then',
  'else',
  'not',
]);
/** Keywords whose meaning depends on other keywords: identical text is not enough. */
const CONTEXT_DEPENDENT = new Set([
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'minContains',
  'maxContains',
]);

// ---------------------------------------------------------------------------------------------------------------
// entry

/** Runs one directional check: can a reader using `readerDoc` read data written with `writerDoc`? */
export function runDirectional(
  direction: CompatibilityDirection,
  writerDoc: Doc,
  readerDoc: Doc,
): CompatibilityIssue[] {
  const ctx: Ctx = {
    direction,
    writer: writerDoc.label,
    reader: readerDoc.label,
    issues: [],
    keys: new Set(),
    active: new Set(),
    depth: 0,
    budget: { steps: 0 },
  };
  const writer: Node = { schema: writerDoc.root, doc: writerDoc, pointer: '#' };
  const reader: Node = { schema: readerDoc.root, doc: readerDoc, pointer: '#' };
  try {
    compare(ctx, [writer], reader, '');
  } catch (error) {
    if (!(error instanceof TooComplexError)) throw error;
    report(
      ctx,
      'UNSUPPORTED_CHANGE',
      reader,
      [],
      '',
      `The schemas are too complex to compare (${error.message}).`,
    );
  }
  return ctx.issues;
}

// ---------------------------------------------------------------------------------------------------------------
// reporting

function report(
  ctx: Ctx,
  code: CompatibilityRule,
  node: Node,
  tokens: Array<string | number>,
  instancePath: string,
  message: string,
): void {
  const path = childPointer(node.pointer, ...tokens);
  const key = `${code}|${node.doc.label}|${path}|${instancePath}`;
  if (ctx.keys.has(key)) return;
  ctx.keys.add(key);
  ctx.issues.push({ code, direction: ctx.direction, path, schema: node.doc.label, instancePath, message });
}

/** Phrases for messages: "data written with the old schema", "a reader using the new schema". */
function W(ctx: Ctx): string {
  return `data written with the ${ctx.writer} schema`;
}
function R(ctx: Ctx): string {
  return `the ${ctx.reader} schema`;
}
function at(instancePath: string): string {
  return instancePath === '' ? 'at the root' : `at ${instancePath}`;
}
function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
function ptr(instancePath: string, name: string | number): string {
  return `${instancePath}/${String(name).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Runs `fn` against a scratch context and returns the issues it would report. */
function trial(ctx: Ctx, fn: (scratch: Ctx) => void): CompatibilityIssue[] {
  const scratch: Ctx = { ...ctx, issues: [], keys: new Set() };
  fn(scratch);
  return scratch.issues;
}

function step(ctx: Ctx): void {
  ctx.budget.steps += 1;
  if (ctx.budget.steps > MAX_STEPS) throw new TooComplexError(`more than ${MAX_STEPS} comparison steps`);
}

// ---------------------------------------------------------------------------------------------------------------
// writer cases

function strip(node: Node): Node {
  if (!isObject(node.schema)) return node;
  const { anyOf: _a, oneOf: _o, if: _i, then: _t, else: _e, ...rest } = node.schema;
  return { schema: rest, doc: node.doc, pointer: node.pointer };
}

/** Splits writer schemas into cases: distributes `anyOf`/`oneOf` branches and `if`/`then`/`else` outcomes. */
function split(nodes: readonly Node[], base: WriterCase): WriterCase[] {
  const { conjuncts, unresolved } = expand(nodes);
  let cases: WriterCase[] = [
    { ...base, conj: [...base.conj], unresolved: [...base.unresolved, ...unresolved] },
  ];
  for (const c of conjuncts) {
    for (const cs of cases) cs.conj.push(strip(c));
    if (!isObject(c.schema)) continue;
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const branches = c.schema[keyword];
      if (!Array.isArray(branches)) continue;
      const next: WriterCase[] = [];
      for (const cs of cases) {
        branches.forEach((_, i) => {
          const branch = child(c, keyword, i);
          if (!branch) return;
          next.push(...split([branch], { ...cs, choices: [...cs.choices, { owner: c, keyword, index: i }] }));
        });
      }
      cases = next;
      if (cases.length > MAX_CASES)
        throw new TooComplexError(`more than ${MAX_CASES} anyOf/oneOf combinations`);
    }
    const ifNode = child(c, 'if');
    const thenNode = child(c, 'then');
    const elseNode = child(c, 'else');
    if (ifNode && (thenNode || elseNode)) {
      const next: WriterCase[] = [];
      for (const cs of cases) {
        next.push(
          ...split(thenNode ? [ifNode, thenNode] : [ifNode], { ...cs, positive: [...cs.positive, ifNode] }),
        );
        next.push(...split(elseNode ? [elseNode] : [], { ...cs, negated: [...cs.negated, ifNode] }));
      }
      cases = next;
      if (cases.length > MAX_CASES)
        throw new TooComplexError(`more than ${MAX_CASES} if/then/else combinations`);
    }
  }
  return cases;
}

function emptyCase(): WriterCase {
  return { conj: [], positive: [], negated: [], choices: [], unresolved: [] };
}

interface WriterInfo {
  /** Possible JSON types; `number` means non-integer numbers, `integer` whole numbers. */
  types: Set<string>;
  /** The finite set of possible values, when known (enum/const/boolean/null). */
  values: unknown[] | undefined;
  objects: SchemaObject[];
}

function normalizeTypes(type: unknown): Set<string> | undefined {
  if (type === undefined) return undefined;
  const list = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string');
  const set = new Set(list);
  if (set.has('number')) set.add('integer');
  return set;
}

function writerInfo(wc: WriterCase): WriterInfo {
  let types = new Set<string>(ALL_TYPES);
  let values: unknown[] | undefined;
  const objects: SchemaObject[] = [];
  for (const n of wc.conj) {
    if (!isObject(n.schema)) continue;
    const s = n.schema;
    objects.push(s);
    const t = normalizeTypes(s.type);
    if (t) types = new Set([...types].filter((x) => t.has(x)));
    let list: unknown[] | undefined;
    if ('const' in s) list = [s.const];
    else if (Array.isArray(s.enum)) list = s.enum;
    if (list) {
      const own = list;
      values = values === undefined ? [...own] : values.filter((v) => own.some((o) => jsonEqual(o, v)));
    }
  }
  if (values === undefined && types.size > 0 && [...types].every((t) => t === 'null' || t === 'boolean')) {
    values = [];
    if (types.has('null')) values.push(null);
    if (types.has('boolean')) values.push(true, false);
  }
  if (values !== undefined) {
    values = values.filter((v) =>
      objects.every((s) => failedKeyword(v, s) === undefined || failedKeyword(v, s) === 'unknown'),
    );
    types = new Set(values.map(typeOf));
  }
  return { types, values, objects };
}

// ---------------------------------------------------------------------------------------------------------------
// comparison

/** Checks that data valid under every `writer` node is valid under `reader`. */
function compare(ctx: Ctx, writer: readonly Node[], reader: Node, ip: string): void {
  step(ctx);
  const key = `${writer.map((n) => n.doc.label + n.pointer).join(',')}>${reader.doc.label}${reader.pointer}`;
  if (ctx.active.has(key)) return; // recursive schema: assume the pair holds (coinduction)
  if (ctx.depth > MAX_DEPTH) {
    report(
      ctx,
      'UNSUPPORTED_CHANGE',
      reader,
      [],
      ip,
      `Nesting deeper than ${MAX_DEPTH} levels is not compared.`,
    );
    return;
  }
  if (writer.length === 1 && writer[0] && equalSchemas(writer[0], reader)) return;
  ctx.active.add(key);
  ctx.depth += 1;
  try {
    const cases = split(writer, emptyCase());
    const reported = new Set<string>();
    for (const wc of cases) {
      for (const u of wc.unresolved) {
        if (reported.has(u.node.pointer)) continue;
        reported.add(u.node.pointer);
        report(
          ctx,
          'UNRESOLVED_REF',
          u.node,
          ['$ref'],
          ip,
          `Cannot resolve $ref ${show(u.ref)} in the ${u.node.doc.label} schema: only references inside the document are followed (bundle external schemas first).`,
        );
      }
      checkAgainst(ctx, wc, reader, ip);
    }
  } finally {
    ctx.depth -= 1;
    ctx.active.delete(key);
  }
}

/** Checks one writer case against a reader node (expanded into its conjuncts). */
function checkAgainst(ctx: Ctx, wc: WriterCase, reader: Node, ip: string): void {
  step(ctx);
  if (wc.conj.some((n) => n.schema === false)) return; // the writer cannot produce such data
  const { conjuncts, unresolved } = expand([reader]);
  for (const u of unresolved) {
    report(
      ctx,
      'UNRESOLVED_REF',
      u.node,
      ['$ref'],
      ip,
      `Cannot resolve $ref ${show(u.ref)} in the ${u.node.doc.label} schema: only references inside the document are followed (bundle external schemas first).`,
    );
  }
  for (const r of conjuncts) checkCase(ctx, wc, r, ip);
}

function checkCase(ctx: Ctx, wc: WriterCase, r: Node, ip: string): void {
  const rs = r.schema;
  if (rs === true || isTrivial(rs)) return;
  if (wc.conj.some((n) => equalSchemas(n, r))) return;
  const info = writerInfo(wc);
  if (info.types.size === 0) return; // the writer cannot produce any value here
  if (rs === false) {
    report(
      ctx,
      'SCHEMA_FALSE',
      r,
      [],
      ip,
      `${cap(W(ctx))} may have a value ${at(ip)}, but ${R(ctx)} is \`false\` there (accepts nothing).`,
    );
    return;
  }
  for (const [k, v] of Object.entries(rs)) {
    if (isAnnotation(k) || KNOWN.has(k)) continue;
    const same =
      !CONTEXT_DEPENDENT.has(k) && info.objects.some((s) => Object.hasOwn(s, k) && jsonEqual(s[k], v));
    if (!same) {
      report(
        ctx,
        'UNSUPPORTED_CHANGE',
        r,
        [k],
        ip,
        `${cap(R(ctx))} uses keyword "${k}" ${at(ip)} in a way the checker cannot compare (the ${ctx.writer} schema does not have the identical keyword); review this change by hand.`,
      );
    }
  }
  const valuesDone = checkTypeAndValues(ctx, info, r, rs, ip);
  if (!valuesDone) {
    if (info.types.has('string')) checkString(ctx, info, r, rs, ip);
    if (info.types.has('integer') || info.types.has('number')) checkNumber(ctx, info, r, rs, ip);
  }
  if (info.types.has('object')) checkObject(ctx, wc, info, r, rs, ip);
  if (info.types.has('array')) checkArray(ctx, wc, info, r, rs, ip);
  checkCombinators(ctx, wc, r, rs, ip);
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// --- type, enum, const ------------------------------------------------------------------------------------------

const KEYWORD_RULE: Record<ScalarKeyword, CompatibilityRule> = {
  type: 'TYPE_NARROWED',
  enum: 'ENUM_NARROWED',
  const: 'CONST_CHANGED',
  minLength: 'MIN_LENGTH_INCREASED',
  maxLength: 'MAX_LENGTH_DECREASED',
  pattern: 'PATTERN_CHANGED',
  format: 'FORMAT_CHANGED',
  minimum: 'MINIMUM_INCREASED',
  exclusiveMinimum: 'MINIMUM_INCREASED',
  maximum: 'MAXIMUM_DECREASED',
  exclusiveMaximum: 'MAXIMUM_DECREASED',
  multipleOf: 'MULTIPLE_OF_CHANGED',
};

/** Returns true when the writer's values are a known finite set and were checked one by one. */
function checkTypeAndValues(ctx: Ctx, info: WriterInfo, r: Node, rs: SchemaObject, ip: string): boolean {
  if (info.values !== undefined) {
    const failures = new Map<ScalarKeyword, unknown[]>();
    for (const v of info.values) {
      const failed = failedKeyword(v, rs);
      if (failed === undefined) continue;
      if (failed === 'unknown') {
        report(
          ctx,
          'UNSUPPORTED_CHANGE',
          r,
          [],
          ip,
          `Cannot decide whether ${show(v)} (allowed by the ${ctx.writer} schema ${at(ip)}) satisfies ${R(ctx)}: unknown format or invalid pattern.`,
        );
        continue;
      }
      failures.set(failed, [...(failures.get(failed) ?? []), v]);
    }
    for (const [keyword, failed] of failures) {
      let code = KEYWORD_RULE[keyword];
      if (keyword === 'type' && failed.length === info.values.length) code = 'TYPE_CHANGED';
      const list = failed.map(show).join(', ');
      report(
        ctx,
        code,
        r,
        [keyword],
        ip,
        `${cap(W(ctx))} may contain ${list} ${at(ip)}, which ${R(ctx)} rejects (${keyword}: ${show(rs[keyword])}).`,
      );
    }
    return info.values.every(isScalar);
  }
  const readerTypes = normalizeTypes(rs.type);
  if (readerTypes) {
    const missing = [...info.types].filter(
      (t) => !readerTypes.has(t) || (t === 'number' && !readerTypes.has('number')),
    );
    if (missing.length > 0) {
      const anyTypeBefore = info.types.size === ALL_TYPES.length;
      const overlap = [...info.types].some((t) => !missing.includes(t));
      const code: CompatibilityRule = overlap ? 'TYPE_NARROWED' : 'TYPE_CHANGED';
      const before = anyTypeBefore
        ? 'any type'
        : [...info.types].filter((t) => !(t === 'integer' && info.types.has('number'))).join(' | ');
      report(
        ctx,
        code,
        r,
        ['type'],
        ip,
        `${cap(W(ctx))} may hold ${before} ${at(ip)}; ${R(ctx)} accepts only ${show(rs.type)} (rejects ${missing.join(', ')}${missing.includes('number') ? ' (non-integer numbers)' : ''}).`,
      );
    }
  }
  if (Array.isArray(rs.enum)) {
    report(
      ctx,
      'ENUM_NARROWED',
      r,
      ['enum'],
      ip,
      `${cap(W(ctx))} is not limited to a list of values ${at(ip)}, but ${R(ctx)} only accepts ${show(rs.enum)}.`,
    );
  }
  if ('const' in rs) {
    report(
      ctx,
      'CONST_CHANGED',
      r,
      ['const'],
      ip,
      `${cap(W(ctx))} is not limited to ${show(rs.const)} ${at(ip)}, but ${R(ctx)} requires exactly that value.`,
    );
  }
  return false;
}

// --- strings ----------------------------------------------------------------------------------------------------

/** Format pairs where every string of the first format is also valid for the second. */
const FORMAT_WIDENINGS: ReadonlyArray<readonly [string, string]> = [
  ['uri', 'uri-reference'],
  ['uri', 'iri'],
  ['uri', 'iri-reference'],
  ['uri-reference', 'iri-reference'],
  ['iri', 'iri-reference'],
  ['email', 'idn-email'],
  ['hostname', 'idn-hostname'],
  ['int32', 'int64'],
];

function checkString(ctx: Ctx, info: WriterInfo, r: Node, rs: SchemaObject, ip: string): void {
  const mins = info.objects.map((s) => s.minLength).filter((v): v is number => typeof v === 'number');
  const maxs = info.objects.map((s) => s.maxLength).filter((v): v is number => typeof v === 'number');
  const wMin = Math.max(0, ...mins);
  const wMax = Math.min(Infinity, ...maxs);
  if (typeof rs.minLength === 'number' && rs.minLength > wMin) {
    report(
      ctx,
      'MIN_LENGTH_INCREASED',
      r,
      ['minLength'],
      ip,
      `${cap(R(ctx))} requires minLength ${rs.minLength} ${at(ip)}; ${W(ctx)} may be as short as ${wMin}.`,
    );
  }
  if (typeof rs.maxLength === 'number' && rs.maxLength < wMax) {
    report(
      ctx,
      'MAX_LENGTH_DECREASED',
      r,
      ['maxLength'],
      ip,
      `${cap(R(ctx))} allows maxLength ${rs.maxLength} ${at(ip)}; ${W(ctx)} may be ${wMax === Infinity ? 'of any length' : `up to ${wMax} characters`}.`,
    );
  }
  if (typeof rs.pattern === 'string' && !info.objects.some((s) => s.pattern === rs.pattern)) {
    const before = info.objects.map((s) => s.pattern).filter((p) => typeof p === 'string');
    report(
      ctx,
      'PATTERN_CHANGED',
      r,
      ['pattern'],
      ip,
      `${cap(R(ctx))} requires pattern ${show(rs.pattern)} ${at(ip)}; ${W(ctx)} ${before.length ? `only had to match ${before.map(show).join(' and ')}` : 'had no pattern'} (a changed pattern cannot be proven to accept every old string).`,
    );
  }
  if (typeof rs.format === 'string') {
    const format = rs.format;
    const ok = info.objects.some(
      (s) => s.format === format || FORMAT_WIDENINGS.some(([a, b]) => s.format === a && format === b),
    );
    if (!ok) {
      const before = info.objects.map((s) => s.format).filter((f) => typeof f === 'string');
      report(
        ctx,
        'FORMAT_CHANGED',
        r,
        ['format'],
        ip,
        `${cap(R(ctx))} requires format ${show(format)} ${at(ip)}; ${W(ctx)} ${before.length ? `has format ${before.map(show).join(', ')}` : 'has no format'}.`,
      );
    }
  }
}

// --- numbers ----------------------------------------------------------------------------------------------------

interface Bound {
  value: number;
  exclusive: boolean;
  keyword: string;
}

function bound(s: SchemaObject, side: 'min' | 'max', integerOnly: boolean): Bound | undefined {
  const inclusiveKw = side === 'min' ? 'minimum' : 'maximum';
  const exclusiveKw = side === 'min' ? 'exclusiveMinimum' : 'exclusiveMaximum';
  const candidates: Bound[] = [];
  const inc = s[inclusiveKw];
  const exc = s[exclusiveKw];
  if (typeof inc === 'number') candidates.push({ value: inc, exclusive: exc === true, keyword: inclusiveKw });
  if (typeof exc === 'number') candidates.push({ value: exc, exclusive: true, keyword: exclusiveKw });
  const normalized = candidates.map((b) => {
    if (!integerOnly) return b;
    if (side === 'min')
      return {
        value: b.exclusive ? Math.floor(b.value) + 1 : Math.ceil(b.value),
        exclusive: false,
        keyword: b.keyword,
      };
    return {
      value: b.exclusive ? Math.ceil(b.value) - 1 : Math.floor(b.value),
      exclusive: false,
      keyword: b.keyword,
    };
  });
  return tightest(normalized, side);
}

function tightest(bounds: Bound[], side: 'min' | 'max'): Bound | undefined {
  let best: Bound | undefined;
  for (const b of bounds) {
    if (!best) best = b;
    else if (side === 'min' ? b.value > best.value : b.value < best.value) best = b;
    else if (b.value === best.value && b.exclusive) best = b;
  }
  return best;
}

function stricter(reader: Bound | undefined, writer: Bound | undefined, side: 'min' | 'max'): boolean {
  if (!reader) return false;
  if (!writer) return true;
  if (side === 'min' ? reader.value > writer.value : reader.value < writer.value) return true;
  return reader.value === writer.value && reader.exclusive && !writer.exclusive;
}

function describeBound(b: Bound | undefined, side: 'min' | 'max'): string {
  if (!b) return side === 'min' ? 'no minimum' : 'no maximum';
  return `${side === 'min' ? (b.exclusive ? '>' : '>=') : b.exclusive ? '<' : '<='} ${b.value}`;
}

function checkNumber(ctx: Ctx, info: WriterInfo, r: Node, rs: SchemaObject, ip: string): void {
  const integerOnly = !info.types.has('number');
  for (const side of ['min', 'max'] as const) {
    const w = tightest(
      info.objects.map((s) => bound(s, side, integerOnly)).filter((b): b is Bound => b !== undefined),
      side,
    );
    const rb = bound(rs, side, integerOnly);
    if (stricter(rb, w, side) && rb) {
      report(
        ctx,
        side === 'min' ? 'MINIMUM_INCREASED' : 'MAXIMUM_DECREASED',
        r,
        [rb.keyword],
        ip,
        `${cap(R(ctx))} requires ${describeBound(rb, side)} ${at(ip)}; ${W(ctx)} has ${describeBound(w, side)}.`,
      );
    }
  }
  if (typeof rs.multipleOf === 'number') {
    const m = rs.multipleOf;
    const ok =
      info.objects.some((s) => typeof s.multipleOf === 'number' && isMultiple(s.multipleOf, m)) ||
      (integerOnly && isMultiple(1, m));
    if (!ok) {
      const before = info.objects.map((s) => s.multipleOf).filter((v) => typeof v === 'number');
      report(
        ctx,
        'MULTIPLE_OF_CHANGED',
        r,
        ['multipleOf'],
        ip,
        `${cap(R(ctx))} requires multipleOf ${m} ${at(ip)}; ${W(ctx)} ${before.length ? `is a multiple of ${before.join(' and ')}` : 'has no multipleOf'}.`,
      );
    }
  }
}

// --- objects ----------------------------------------------------------------------------------------------------

function regex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

interface Governing {
  nodes: Node[];
  forbidden: boolean;
  /** Some writer conjunct declares the name under `properties`. */
  declared: boolean;
}

/** The writer subschemas that apply to property `name` (properties, matching patterns, else additionalProperties). */
function writerGov(wc: WriterCase, name: string): Governing {
  const nodes: Node[] = [];
  let declared = false;
  for (const c of wc.conj) {
    if (!isObject(c.schema)) continue;
    const own: Node[] = [];
    const p = child(c, 'properties', name);
    if (p) {
      own.push(p);
      declared = true;
    }
    const patterns = c.schema.patternProperties;
    if (isObject(patterns)) {
      for (const pattern of Object.keys(patterns)) {
        if (regex(pattern)?.test(name)) {
          const pn = child(c, 'patternProperties', pattern);
          if (pn) own.push(pn);
        }
      }
    }
    if (own.length === 0) {
      const add = child(c, 'additionalProperties');
      if (add) own.push(add);
    }
    nodes.push(...own.filter((n) => !isTrivial(n.schema)));
  }
  return { nodes, forbidden: nodes.some((n) => n.schema === false), declared };
}

/** The reader subschemas that apply to property `name`. */
function readerGov(r: Node, name: string): Node[] {
  const rs = r.schema as SchemaObject;
  const nodes: Node[] = [];
  const p = child(r, 'properties', name);
  if (p) nodes.push(p);
  if (isObject(rs.patternProperties)) {
    for (const pattern of Object.keys(rs.patternProperties)) {
      if (regex(pattern)?.test(name)) {
        const pn = child(r, 'patternProperties', pattern);
        if (pn) nodes.push(pn);
      }
    }
  }
  if (nodes.length === 0) {
    const add = child(r, 'additionalProperties');
    if (add) nodes.push(add);
  }
  return nodes;
}

function hasDefault(node: Node | undefined): boolean {
  if (!node) return false;
  return (
    expand([node]).conjuncts.some((n) => isObject(n.schema) && 'default' in n.schema) ||
    (isObject(node.schema) && 'default' in node.schema)
  );
}

function keysOf(value: unknown): string[] {
  return isObject(value) ? Object.keys(value) : [];
}

function checkObject(
  ctx: Ctx,
  wc: WriterCase,
  info: WriterInfo,
  r: Node,
  rs: SchemaObject,
  ip: string,
): void {
  // Invalid patterns cannot be compared.
  for (const [owner, label] of [...wc.conj.map((n) => [n, ctx.writer] as const), [r, ctx.reader] as const]) {
    if (!isObject(owner.schema)) continue;
    for (const pattern of keysOf(owner.schema.patternProperties)) {
      if (!regex(pattern)) {
        report(
          ctx,
          'UNSUPPORTED_CHANGE',
          owner,
          ['patternProperties', pattern],
          ip,
          `patternProperties key ${show(pattern)} of the ${label} schema is not a valid regular expression.`,
        );
      }
    }
  }
  const names = new Set<string>([
    ...keysOf(rs.properties),
    ...info.objects.flatMap((s) => keysOf(s.properties)),
    ...(Array.isArray(rs.required) ? rs.required.filter((x): x is string => typeof x === 'string') : []),
  ]);
  for (const name of names) {
    const rNodes = readerGov(r, name).filter((n) => !isTrivial(n.schema));
    if (rNodes.length === 0) continue;
    const wg = writerGov(wc, name);
    if (wg.forbidden) continue;
    const childIp = ptr(ip, name);
    for (const rn of rNodes) {
      if (rn.schema === false) {
        if (wg.declared) {
          report(
            ctx,
            'PROPERTY_REMOVED_FROM_CLOSED',
            rn,
            [],
            childIp,
            `${cap(W(ctx))} may contain property "${name}" ${at(ip)}, but ${R(ctx)} does not allow it (closed content model: additionalProperties is false, or the property is \`false\`).`,
          );
        } else {
          report(
            ctx,
            'PROPERTY_ADDED_TO_OPEN',
            rn,
            [],
            childIp,
            `${cap(W(ctx))} may contain property "${name}" ${at(ip)} with any value (its content model is open), but ${R(ctx)} forbids it.`,
          );
        }
        continue;
      }
      if (wg.nodes.length === 0) {
        report(
          ctx,
          'PROPERTY_ADDED_TO_OPEN',
          rn,
          [],
          childIp,
          `${cap(R(ctx))} constrains property "${name}" ${at(ip)}, but the ${ctx.writer} schema's content model there is open (additionalProperties absent or true), so ${W(ctx)} may already contain "${name}" with any value. Add properties only to a closed schema, or give the new property the empty schema {}.`,
        );
        continue;
      }
      compare(ctx, wg.nodes, rn, childIp);
    }
  }
  checkOtherNames(ctx, wc, r, rs, ip);
  checkRequired(ctx, wc, info, r, rs, ip);
  checkPropertyCounts(ctx, wc, info, r, rs, ip);
  checkPropertyNames(ctx, wc, info, r, rs, ip);
  checkDependencies(ctx, wc, info, r, rs, ip);
}

/** Properties declared nowhere: additionalProperties and patternProperties on both sides. */
function checkOtherNames(ctx: Ctx, wc: WriterCase, r: Node, rs: SchemaObject, ip: string): void {
  const objs = wc.conj.filter((n) => isObject(n.schema));
  const readerPatterns = keysOf(rs.patternProperties);
  const rAdd = child(r, 'additionalProperties');
  // Names matching no pattern anywhere: writer additionalProperties against reader additionalProperties.
  if (rAdd && !isTrivial(rAdd.schema)) {
    const wAdd = objs
      .map((n) => child(n, 'additionalProperties'))
      .filter((n): n is Node => n !== undefined && !isTrivial(n.schema));
    if (!wAdd.some((n) => n.schema === false)) {
      if (rAdd.schema === false || wAdd.length === 0) {
        report(
          ctx,
          'ADDITIONAL_PROPERTIES_NARROWED',
          rAdd,
          [],
          ptr(ip, '*'),
          `${cap(W(ctx))} may contain properties ${at(ip)} that it does not declare (${wAdd.length === 0 ? 'open content model' : 'additionalProperties is a schema'}), but ${R(ctx)} ${rAdd.schema === false ? 'closes the content model (additionalProperties: false)' : 'constrains them (additionalProperties)'}.`,
        );
      } else {
        compare(ctx, wAdd, rAdd, ptr(ip, '*'));
      }
    }
  }
  // Names matching a writer pattern.
  const writerPatterns = new Set(objs.flatMap((n) => keysOf((n.schema as SchemaObject).patternProperties)));
  for (const pattern of writerPatterns) {
    const wNodes = patternNodes(objs, pattern);
    if (wNodes.forbidden) continue;
    const patternIp = ptr(ip, `{${pattern}}`);
    const rPattern = child(r, 'patternProperties', pattern);
    if (rPattern) {
      if (!isTrivial(rPattern.schema)) compare(ctx, wNodes.nodes, rPattern, patternIp);
      continue;
    }
    if (readerPatterns.length > 0) {
      report(
        ctx,
        'UNSUPPORTED_CHANGE',
        r,
        ['patternProperties'],
        patternIp,
        `Properties matching the ${ctx.writer} schema's pattern ${show(pattern)} may also match the different patterns of ${R(ctx)}; the checker cannot compare regular expressions.`,
      );
      continue;
    }
    if (!rAdd || isTrivial(rAdd.schema)) continue;
    if (rAdd.schema === false) {
      const declaredPattern = objs.find((n) => child(n, 'patternProperties', pattern));
      report(
        ctx,
        'PROPERTY_REMOVED_FROM_CLOSED',
        declaredPattern ? (child(declaredPattern, 'patternProperties', pattern) ?? r) : r,
        [],
        patternIp,
        `${cap(W(ctx))} may contain properties matching ${show(pattern)} ${at(ip)}, but ${R(ctx)} does not allow them (additionalProperties: false).`,
      );
    } else {
      compare(ctx, wNodes.nodes, rAdd, patternIp);
    }
  }
  // Names matching a reader pattern the writer does not have.
  for (const pattern of readerPatterns) {
    if (writerPatterns.has(pattern)) continue;
    const rPattern = child(r, 'patternProperties', pattern);
    if (!rPattern || isTrivial(rPattern.schema)) continue;
    const wNodes = patternNodes(objs, pattern);
    if (wNodes.forbidden) continue;
    const patternIp = ptr(ip, `{${pattern}}`);
    if (wNodes.nodes.length === 0) {
      report(
        ctx,
        'PROPERTY_ADDED_TO_OPEN',
        rPattern,
        [],
        patternIp,
        `${cap(R(ctx))} constrains properties matching ${show(pattern)} ${at(ip)}, but ${W(ctx)} may contain such properties with any value (open content model).`,
      );
      continue;
    }
    compare(ctx, wNodes.nodes, rPattern, patternIp);
  }
}

/** Writer subschemas for undeclared names matching `pattern`: the same pattern, else additionalProperties. */
function patternNodes(objs: Node[], pattern: string): { nodes: Node[]; forbidden: boolean } {
  const nodes: Node[] = [];
  for (const n of objs) {
    const same = child(n, 'patternProperties', pattern);
    if (same) nodes.push(same);
    else if (keysOf((n.schema as SchemaObject).patternProperties).length === 0) {
      const add = child(n, 'additionalProperties');
      if (add) nodes.push(add);
    }
    // A conjunct with other patterns may or may not constrain these names: ignoring it only makes the check stricter.
  }
  const useful = nodes.filter((x) => !isTrivial(x.schema));
  return { nodes: useful, forbidden: useful.some((x) => x.schema === false) };
}

function checkRequired(
  ctx: Ctx,
  wc: WriterCase,
  info: WriterInfo,
  r: Node,
  rs: SchemaObject,
  ip: string,
): void {
  if (!Array.isArray(rs.required)) return;
  const wRequired = new Set(
    info.objects.flatMap((s) => (Array.isArray(s.required) ? (s.required as unknown[]) : [])),
  );
  for (const name of rs.required) {
    if (typeof name !== 'string' || wRequired.has(name)) continue;
    if (hasDefault(child(r, 'properties', name))) continue;
    const never = writerGov(wc, name).forbidden;
    report(
      ctx,
      'REQUIRED_ADDED_WITHOUT_DEFAULT',
      r,
      ['required'],
      ptr(ip, name),
      `${cap(R(ctx))} requires property "${name}" ${at(ip)}, but ${W(ctx)} ${never ? 'never contains it' : 'may lack it (it is not required there)'}, and ${R(ctx)} gives it no default.`,
    );
  }
}

function checkPropertyCounts(
  ctx: Ctx,
  wc: WriterCase,
  info: WriterInfo,
  r: Node,
  rs: SchemaObject,
  ip: string,
): void {
  const wRequired = new Set(
    info.objects.flatMap((s) => (Array.isArray(s.required) ? (s.required as unknown[]) : [])),
  );
  const wMin = Math.max(
    wRequired.size,
    ...info.objects.map((s) => (typeof s.minProperties === 'number' ? s.minProperties : 0)),
  );
  if (typeof rs.minProperties === 'number' && rs.minProperties > wMin) {
    report(
      ctx,
      'MIN_PROPERTIES_INCREASED',
      r,
      ['minProperties'],
      ip,
      `${cap(R(ctx))} requires minProperties ${rs.minProperties} ${at(ip)}; ${W(ctx)} may have as few as ${wMin} properties.`,
    );
  }
  if (typeof rs.maxProperties === 'number') {
    const limits = info.objects.map((s) =>
      typeof s.maxProperties === 'number' ? s.maxProperties : Infinity,
    );
    for (const n of wc.conj) {
      if (
        isObject(n.schema) &&
        n.schema.additionalProperties === false &&
        keysOf(n.schema.patternProperties).length === 0
      ) {
        limits.push(keysOf(n.schema.properties).length);
      }
    }
    const wMax = Math.min(Infinity, ...limits);
    if (rs.maxProperties < wMax) {
      report(
        ctx,
        'MAX_PROPERTIES_DECREASED',
        r,
        ['maxProperties'],
        ip,
        `${cap(R(ctx))} allows maxProperties ${rs.maxProperties} ${at(ip)}; ${W(ctx)} may have ${wMax === Infinity ? 'any number of' : `up to ${wMax}`} properties.`,
      );
    }
  }
}

function checkPropertyNames(
  ctx: Ctx,
  wc: WriterCase,
  info: WriterInfo,
  r: Node,
  rs: SchemaObject,
  ip: string,
): void {
  const rNames = child(r, 'propertyNames');
  if (!rNames || isTrivial(rNames.schema)) return;
  const wNames = wc.conj.map((n) => child(n, 'propertyNames')).filter((n): n is Node => n !== undefined);
  if (wNames.some((n) => equalSchemas(n, rNames))) return;
  const closed = wc.conj.find(
    (n) =>
      isObject(n.schema) &&
      n.schema.additionalProperties === false &&
      keysOf(n.schema.patternProperties).length === 0,
  );
  if (closed && isObject(closed.schema)) {
    const { conjuncts } = expand([rNames]);
    const simple = conjuncts.every(
      (c) => isObject(c.schema) && Object.keys(c.schema).every((k) => isAnnotation(k) || k in KEYWORD_RULE),
    );
    if (simple) {
      const bad = keysOf(closed.schema.properties).filter((name) =>
        conjuncts.some((c) => failedKeyword(name, c.schema as SchemaObject) !== undefined),
      );
      if (bad.length > 0) {
        report(
          ctx,
          'PROPERTY_NAMES_NARROWED',
          rNames,
          [],
          ip,
          `${cap(W(ctx))} may contain properties ${bad.map(show).join(', ')} ${at(ip)}, whose names ${R(ctx)} rejects (propertyNames).`,
        );
      }
      return;
    }
  }
  void info;
  const stringNode: Node = { schema: { type: 'string' }, doc: r.doc, pointer: r.pointer };
  compare(ctx, [stringNode, ...wNames], rNames, ptr(ip, '{propertyNames}'));
}

function checkDependencies(
  ctx: Ctx,
  wc: WriterCase,
  info: WriterInfo,
  r: Node,
  rs: SchemaObject,
  ip: string,
): void {
  const required = new Map<string, { deps: string[]; keyword: string }>();
  const schemas = new Map<string, Node>();
  for (const keyword of ['dependentRequired', 'dependencies', 'dependentSchemas']) {
    const value = rs[keyword];
    if (!isObject(value)) continue;
    for (const [name, dep] of Object.entries(value)) {
      if (Array.isArray(dep))
        required.set(name, { deps: dep.filter((d): d is string => typeof d === 'string'), keyword });
      else {
        const node = child(r, keyword, name);
        if (node) schemas.set(name, node);
      }
    }
  }
  const wRequired = new Set(
    info.objects.flatMap((s) => (Array.isArray(s.required) ? (s.required as unknown[]) : [])),
  );
  for (const [name, { deps, keyword }] of required) {
    if (writerGov(wc, name).forbidden) continue;
    const wDeps = new Set(
      info.objects.flatMap((s) =>
        ['dependentRequired', 'dependencies'].flatMap((k) => {
          const v = s[k];
          return isObject(v) && Array.isArray(v[name]) ? (v[name] as unknown[]) : [];
        }),
      ),
    );
    const missing = deps.filter((d) => !wRequired.has(d) && !wDeps.has(d));
    if (missing.length > 0) {
      report(
        ctx,
        'DEPENDENCY_ADDED',
        r,
        [keyword, name],
        ip,
        `${cap(R(ctx))} requires ${missing.map(show).join(', ')} whenever "${name}" is present ${at(ip)}; ${W(ctx)} does not guarantee that.`,
      );
    }
  }
  for (const [name, node] of schemas) {
    if (writerGov(wc, name).forbidden || isTrivial(node.schema)) continue;
    const wDeps = wc.conj
      .flatMap((n) => [child(n, 'dependentSchemas', name), child(n, 'dependencies', name)])
      .filter((n): n is Node => n !== undefined);
    const presence: Node = { schema: { required: [name] }, doc: r.doc, pointer: r.pointer };
    compare(ctx, [...wc.conj, ...wDeps, presence], node, ip);
  }
}

// --- arrays -----------------------------------------------------------------------------------------------------

interface Tuple {
  prefix: Node[];
  rest: Node | undefined;
}

function tuple(n: Node): Tuple {
  if (!isObject(n.schema)) return { prefix: [], rest: undefined };
  const s = n.schema;
  const list = (keyword: string): Node[] =>
    Array.isArray(s[keyword])
      ? (s[keyword] as unknown[])
          .map((_, i) => child(n, keyword, i))
          .filter((x): x is Node => x !== undefined)
      : [];
  if (Array.isArray(s.prefixItems)) return { prefix: list('prefixItems'), rest: child(n, 'items') };
  if (Array.isArray(s.items)) return { prefix: list('items'), rest: child(n, 'additionalItems') };
  return { prefix: [], rest: child(n, 'items') };
}

function checkArray(ctx: Ctx, wc: WriterCase, info: WriterInfo, r: Node, rs: SchemaObject, ip: string): void {
  const objs = wc.conj.filter((n) => isObject(n.schema));
  const rT = tuple(r);
  const wTs = objs.map(tuple);
  const closedLength = Math.min(
    Infinity,
    ...wTs.map((t) => (t.rest?.schema === false ? t.prefix.length : Infinity)),
  );
  const maxItems = Math.min(
    closedLength,
    ...info.objects.map((s) => (typeof s.maxItems === 'number' ? s.maxItems : Infinity)),
  );
  const positions = Math.max(rT.prefix.length, ...wTs.map((t) => t.prefix.length));
  const checkPosition = (rNode: Node | undefined, wNodes: Node[], itemIp: string, index: number): void => {
    if (!rNode || isTrivial(rNode.schema) || index >= maxItems) return;
    if (wNodes.some((n) => n.schema === false)) return;
    if (rNode.schema === false) {
      report(
        ctx,
        'ADDITIONAL_ITEMS_NARROWED',
        rNode,
        [],
        itemIp,
        `${cap(W(ctx))} may have ${index + 1} or more items ${at(ip)}, but ${R(ctx)} allows at most ${index} (additional items are \`false\`).`,
      );
      return;
    }
    compare(
      ctx,
      wNodes.filter((n) => !isTrivial(n.schema)),
      rNode,
      itemIp,
    );
  };
  for (let i = 0; i < positions; i++) {
    const wNodes = wTs.map((t) => t.prefix[i] ?? t.rest).filter((n): n is Node => n !== undefined);
    checkPosition(rT.prefix[i] ?? rT.rest, wNodes, ptr(ip, i), i);
  }
  const wRest = wTs.map((t) => t.rest).filter((n): n is Node => n !== undefined);
  checkPosition(rT.rest, wRest, ptr(ip, '*'), positions);

  const wMin = Math.max(0, ...info.objects.map((s) => (typeof s.minItems === 'number' ? s.minItems : 0)));
  if (typeof rs.minItems === 'number' && rs.minItems > wMin) {
    report(
      ctx,
      'MIN_ITEMS_INCREASED',
      r,
      ['minItems'],
      ip,
      `${cap(R(ctx))} requires minItems ${rs.minItems} ${at(ip)}; ${W(ctx)} may have as few as ${wMin} items.`,
    );
  }
  if (typeof rs.maxItems === 'number' && rs.maxItems < maxItems) {
    report(
      ctx,
      'MAX_ITEMS_DECREASED',
      r,
      ['maxItems'],
      ip,
      `${cap(R(ctx))} allows maxItems ${rs.maxItems} ${at(ip)}; ${W(ctx)} may have ${maxItems === Infinity ? 'any number of' : `up to ${maxItems}`} items.`,
    );
  }
  if (rs.uniqueItems === true && !info.objects.some((s) => s.uniqueItems === true) && maxItems > 1) {
    report(
      ctx,
      'UNIQUE_ITEMS_ADDED',
      r,
      ['uniqueItems'],
      ip,
      `${cap(R(ctx))} requires unique items ${at(ip)}; ${W(ctx)} may repeat items.`,
    );
  }
}

// --- anyOf / oneOf / if / not -----------------------------------------------------------------------------------

function branches(r: Node, keyword: 'anyOf' | 'oneOf'): Node[] {
  const list = (r.schema as SchemaObject)[keyword];
  if (!Array.isArray(list)) return [];
  return list.map((_, i) => child(r, keyword, i)).filter((n): n is Node => n !== undefined);
}

function checkCombinators(ctx: Ctx, wc: WriterCase, r: Node, rs: SchemaObject, ip: string): void {
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    if (!Array.isArray(rs[keyword])) continue;
    const options = branches(r, keyword);
    const results = options.map((b) => trial(ctx, (scratch) => checkAgainst(scratch, wc, b, ip)));
    const fits = results.findIndex((issues) => issues.length === 0);
    if (fits === -1) {
      reportNoVariant(ctx, wc, r, keyword, options, results, ip);
      continue;
    }
    if (keyword === 'oneOf') {
      options.forEach((other, k) => {
        if (k === fits) return;
        if (provablyDisjoint(ctx, wc, other)) return;
        report(
          ctx,
          'ONE_OF_AMBIGUOUS',
          other,
          [],
          ip,
          `${cap(W(ctx))} matching the ${ctx.writer} variant ${describeCase(wc)} fits variant ${fits} of ${R(ctx)}'s oneOf ${at(ip)}, and the checker cannot prove it does not also match variant ${k} (oneOf fails when two variants match). Add a discriminator (a required property with distinct const/enum values) or keep the variants unchanged.`,
        );
      });
    }
  }
  const ifNode = child(r, 'if');
  if (ifNode) {
    const known = wc.positive.some((p) => equalSchemas(p, ifNode));
    const knownNot = wc.negated.some((p) => equalSchemas(p, ifNode));
    const thenNode = child(r, 'then');
    const elseNode = child(r, 'else');
    if (thenNode && !knownNot && !isTrivial(thenNode.schema)) {
      for (const withIf of split([ifNode], {
        ...wc,
        conj: [...wc.conj],
        positive: [...wc.positive, ifNode],
      })) {
        checkAgainst(ctx, withIf, thenNode, ip);
      }
    }
    if (elseNode && !known && !isTrivial(elseNode.schema)) checkAgainst(ctx, wc, elseNode, ip);
  }
  const notNode = child(r, 'not');
  if (
    notNode &&
    !wc.conj.some((n) => {
      const wn = child(n, 'not');
      return wn !== undefined && equalSchemas(wn, notNode);
    })
  ) {
    if (!provablyDisjoint(ctx, wc, notNode)) {
      report(
        ctx,
        'UNSUPPORTED_CHANGE',
        notNode,
        [],
        ip,
        `${cap(R(ctx))} has a "not" ${at(ip)} that the checker cannot prove ${W(ctx)} avoids; review this change by hand.`,
      );
    }
  }
}

function describeCase(wc: WriterCase): string {
  if (wc.choices.length === 0) return '(the whole schema)';
  return wc.choices.map((c) => childPointer(c.owner.pointer, c.keyword, c.index)).join(' + ');
}

function reportNoVariant(
  ctx: Ctx,
  wc: WriterCase,
  r: Node,
  keyword: 'anyOf' | 'oneOf',
  options: Node[],
  results: CompatibilityIssue[][],
  ip: string,
): void {
  // The same variant, changed: when the writer case came from a oneOf/anyOf at the same place with as many
  // variants, report that variant's own issues (more precise than "variant removed").
  const same = wc.choices.find((c) => c.owner.pointer === r.pointer && c.keyword === keyword);
  const sameCount =
    same && Array.isArray((same.owner.schema as SchemaObject)[keyword])
      ? ((same.owner.schema as SchemaObject)[keyword] as unknown[]).length === options.length
      : false;
  if (same && sameCount && results[same.index]) {
    for (const issue of results[same.index] ?? []) {
      const k = `${issue.code}|${issue.schema}|${issue.path}|${issue.instancePath}`;
      if (ctx.keys.has(k)) continue;
      ctx.keys.add(k);
      ctx.issues.push(issue);
    }
    return;
  }
  let best = 0;
  results.forEach((issues, i) => {
    if (issues.length < (results[best]?.length ?? Infinity)) best = i;
  });
  const hint = results[best]?.[0] ? ` Closest is variant ${best}: ${results[best]?.[0]?.message}` : '';
  report(
    ctx,
    'VARIANT_REMOVED',
    r,
    [keyword],
    ip,
    `${cap(W(ctx))} matching the ${ctx.writer} variant ${describeCase(wc)} matches no variant of ${R(ctx)}'s ${keyword} ${at(ip)}.${hint}`,
  );
}

/** Proves that no value of the writer case validates against `node` (types, values, discriminator properties). */
function provablyDisjoint(ctx: Ctx, wc: WriterCase, node: Node, depth = 0): boolean {
  step(ctx);
  if (depth > 16) return false;
  const { conjuncts, unresolved } = expand([node]);
  if (unresolved.length > 0 && conjuncts.length === 0) return false;
  if (conjuncts.some((r) => disjointOne(ctx, wc, r, depth))) return true;
  // oneOf writer choice: a reader branch inside another writer branch is excluded by the writer's own oneOf.
  for (const choice of wc.choices) {
    if (choice.keyword !== 'oneOf') continue;
    const others = branches(choice.owner, 'oneOf').filter((_, i) => i !== choice.index);
    for (const other of others) {
      const issues = trial(ctx, (scratch) => compare(scratch, [node], other, ''));
      if (issues.length === 0) return true;
    }
  }
  return false;
}

function disjointOne(ctx: Ctx, wc: WriterCase, r: Node, depth: number): boolean {
  const rs = r.schema;
  if (rs === false) return true;
  if (rs === true) return false;
  const info = writerInfo(wc);
  if (info.types.size === 0) return true;
  if (info.values !== undefined && info.values.every(isScalar)) {
    return info.values.every((v) => {
      const failed = failedKeyword(v, rs);
      return failed !== undefined && failed !== 'unknown';
    });
  }
  const readerTypes = normalizeTypes(rs.type);
  const shared = readerTypes
    ? [...info.types].filter((t) => readerTypes.has(t) && !(t === 'number' && !readerTypes.has('number')))
    : [...info.types];
  if (shared.length === 0) return true;
  if (shared.every((t) => t === 'object')) {
    const wRequired = new Set(
      info.objects.flatMap((s) => (Array.isArray(s.required) ? (s.required as unknown[]) : [])),
    );
    for (const name of wRequired) {
      if (typeof name !== 'string') continue;
      const wg = writerGov(wc, name);
      if (wg.forbidden) return true;
      for (const rn of readerGov(r, name)) {
        if (rn.schema === false) return true;
        if (wg.nodes.length === 0) continue;
        const subCases = split(wg.nodes, emptyCase());
        if (subCases.every((sc) => provablyDisjoint(ctx, sc, rn, depth + 1))) return true;
      }
    }
    if (Array.isArray(rs.required)) {
      for (const name of rs.required)
        if (typeof name === 'string' && writerGov(wc, name).forbidden) return true;
    }
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = branches(r, keyword);
    if (options.length > 0 && options.every((b) => provablyDisjoint(ctx, wc, b, depth + 1))) return true;
  }
  return false;
}

export type { JsonSchema };
