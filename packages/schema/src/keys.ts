/**
 * Record keys. The key decides the partition, and the partition decides the order: every event of one VM must get
 * the same key bytes from every producer, or per-VM ordering breaks without any error. So the builders reject
 * anything two producers could spell differently (surrounding blanks, control characters, broken UTF-16) and any
 * part that would make a compound key ambiguous.
 */
import { createHash } from 'node:crypto';

import { InvalidKeyError } from './errors.js';
import type { DomainEvent } from './generated/domain-event.types.js';
import type { VmOperationEvent } from './generated/vm-operation-event.types.js';

/** The key strategies, from seed 000 §3.2. `vmId` is the default. */
export const KEY_STRATEGIES = ['vmId', 'env.vmId', 'tenant.vmId', 'env.tenant.vmId', 'hash'] as const;

/** One of {@link KEY_STRATEGIES}. */
export type KeyStrategy = (typeof KEY_STRATEGIES)[number];

/** The separator between the parts of a compound key. */
export const KEY_SEPARATOR = '.';

/** Upper bound for a key, in UTF-8 bytes. Generous for `<env>.<tenant>.<vmId>`; keeps keys cheap to hash and log. */
export const MAX_KEY_BYTES = 512;

/** Partition key of a `DELETE_ALL` domain event (seed 002): the nil UUID. */
export const DELETE_ALL_KEY = '00000000-0000-0000-0000-000000000000';

/** What a key is built from. `environment` and `tenantId` are needed only by the strategies that use them. */
export interface KeyParts {
  /** VM identity, e.g. `vm-42`. The last part of a compound key, so it may itself contain `.`. */
  vmId: string;
  /** Environment, e.g. `PROD` (`[A-Za-z0-9_-]{1,64}`). */
  environment?: string;
  /** Tenant, e.g. `tenantB` (`[A-Za-z0-9_-]{1,64}`). */
  tenantId?: string;
}

/** What the key builders read of a {@link VmOperationEvent}: `operationInfo.vmId`, `environment`, `tenantId`. */
export interface KeyedEvent {
  /** The operation part of the event. */
  operationInfo: Pick<VmOperationEvent['operationInfo'], 'vmId' | 'environment' | 'tenantId'>;
}

/** The parts before the vmId in a key of each readable strategy, in order. */
const KEY_SCOPES: Record<Exclude<KeyStrategy, 'hash'>, readonly ('environment' | 'tenantId')[]> = {
  vmId: [],
  'env.vmId': ['environment'],
  'tenant.vmId': ['tenantId'],
  'env.tenant.vmId': ['environment', 'tenantId'],
};

/** The parts a key of the given strategy gives back; `hash` keys give back only the digest. */
export type ParsedKey<TStrategy extends KeyStrategy> = TStrategy extends 'vmId'
  ? { vmId: string }
  : TStrategy extends 'env.vmId'
    ? { environment: string; vmId: string }
    : TStrategy extends 'tenant.vmId'
      ? { tenantId: string; vmId: string }
      : TStrategy extends 'env.tenant.vmId'
        ? { environment: string; tenantId: string; vmId: string }
        : { hash: string };

/** True when `value` is one of {@link KEY_STRATEGIES}. */
export function isKeyStrategy(value: unknown): value is KeyStrategy {
  return typeof value === 'string' && (KEY_STRATEGIES as readonly string[]).includes(value);
}

/**
 * Builds the record key for a VM with the given strategy.
 *
 * @example buildKey('env.tenant.vmId', { vmId: 'vm-54321', environment: 'PROD', tenantId: 'tenantB' })
 *   // 'PROD.tenantB.vm-54321'
 * @throws InvalidKeyError naming the part that is missing or not allowed.
 */
export function buildKey(strategy: KeyStrategy, parts: KeyParts): string {
  assertStrategy(strategy);
  const vmId = checkVmId(parts.vmId);
  let key: string;
  switch (strategy) {
    case 'vmId':
      key = vmId;
      break;
    case 'env.vmId':
      key = `${checkScope('environment', parts.environment, strategy)}.${vmId}`;
      break;
    case 'tenant.vmId':
      key = `${checkScope('tenantId', parts.tenantId, strategy)}.${vmId}`;
      break;
    case 'env.tenant.vmId':
    case 'hash': {
      const environment = checkScope('environment', parts.environment, strategy);
      const tenantId = checkScope('tenantId', parts.tenantId, strategy);
      key = `${environment}.${tenantId}.${vmId}`;
      if (strategy === 'hash') return createHash('sha256').update(key, 'utf8').digest('hex');
      break;
    }
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidKeyError('key', `Key is ${bytes} UTF-8 bytes long; the limit is ${MAX_KEY_BYTES}`);
  }
  return key;
}

/**
 * Builds the record key of a VM operation event from `operationInfo` (`vmId`, `environment`, `tenantId`).
 *
 * @example buildEventKey(event) // 'vm-12345'
 * @example buildEventKey(event, 'env.vmId') // 'DEV.vm-12345'
 */
export function buildEventKey(event: KeyedEvent, strategy: KeyStrategy = 'vmId'): string {
  const info = event.operationInfo;
  return buildKey(strategy, { vmId: info.vmId, environment: info.environment, tenantId: info.tenantId });
}

/**
 * Splits a key back into its parts. The first parts (environment, tenant) never contain `.`, so everything after
 * them is the VM id. A `hash` key gives back only its digest: it cannot be reversed.
 *
 * @example parseKey('env.tenant.vmId', 'PROD.tenantB.vm-54321')
 *   // { environment: 'PROD', tenantId: 'tenantB', vmId: 'vm-54321' }
 * @throws InvalidKeyError when the key does not have the shape of the strategy.
 */
export function parseKey<TStrategy extends KeyStrategy>(
  strategy: TStrategy,
  key: string,
): ParsedKey<TStrategy> {
  assertStrategy(strategy);
  if (typeof key !== 'string' || key === '') {
    throw new InvalidKeyError('key', `Key must be a non-empty string, got ${describeValue(key)}`);
  }
  const kind: KeyStrategy = strategy; // not generic, so comparisons narrow it
  if (kind === 'hash') {
    if (!/^[0-9a-f]{64}$/.test(key)) {
      throw new InvalidKeyError(
        'key',
        `A 'hash' key is 64 lowercase hex characters (SHA-256), got "${printable(key)}"`,
      );
    }
    return { hash: key } as ParsedKey<TStrategy>;
  }
  const scopes = KEY_SCOPES[kind];
  const result: Record<string, string> = {};
  let rest = key;
  for (const part of scopes) {
    const at = rest.indexOf(KEY_SEPARATOR);
    if (at < 0) {
      throw new InvalidKeyError(
        part,
        `Key "${key}" does not have the '${strategy}' shape: the ${part} part is missing (no '${KEY_SEPARATOR}')`,
      );
    }
    result[part] = checkScope(part, rest.slice(0, at), strategy);
    rest = rest.slice(at + 1);
  }
  result.vmId = checkVmId(rest);
  return result as ParsedKey<TStrategy>;
}

/** An entity state of a domain event (`new` or `old`): any JSON object. */
export type DomainEntity = Record<string, unknown>;

/**
 * Builds the partition key of a domain event (seed 002): the nil UUID for `DELETE_ALL`, else the id of the entity
 * (`new`, or `old` when there is no `new`, as for `DELETE`). `idOf` reads the id; by default `entity.id`.
 *
 * @example buildDomainEventKey({ type: 'UPDATE', tenant: 'diku', old: { id: 'a1' }, new: { id: 'a1' } }) // 'a1'
 * @example buildDomainEventKey({ type: 'DELETE_ALL', tenant: 'diku' }) // DELETE_ALL_KEY
 * @throws InvalidKeyError when there is no entity or its id is missing, empty or not usable as a key.
 */
export function buildDomainEventKey(
  event: DomainEvent,
  idOf: (entity: DomainEntity) => unknown = defaultIdOf,
): string {
  if (event.type === 'DELETE_ALL') return DELETE_ALL_KEY;
  // `new` first (CREATE, UPDATE), else `old` (DELETE); read loosely so a malformed event gets a clear error.
  const loose = event as { new?: unknown; old?: unknown };
  const entity = loose.new ?? loose.old;
  if (typeof entity !== 'object' || entity === null) {
    throw new InvalidKeyError(
      'entity',
      `A ${event.type} domain event needs 'new' or 'old' to take the key from`,
    );
  }
  const id = idOf(entity as DomainEntity);
  const text = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
  if (typeof text !== 'string' || text === '') {
    throw new InvalidKeyError(
      'entity id',
      `The entity of a ${event.type} domain event has no usable id (got ${describeValue(id)}); pass idOf to read it`,
    );
  }
  checkText('entity id', text);
  return text;
}

function defaultIdOf(entity: DomainEntity): unknown {
  return entity.id;
}

function assertStrategy(strategy: unknown): asserts strategy is KeyStrategy {
  if (!isKeyStrategy(strategy)) {
    throw new InvalidKeyError(
      'strategy',
      `Unknown key strategy ${describeValue(strategy)}; use one of ${KEY_STRATEGIES.map((s) => `'${s}'`).join(', ')}`,
    );
  }
}

const SCOPE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Environment and tenant: the event schema's pattern, which also keeps `.` (the separator) out. */
function checkScope(part: 'environment' | 'tenantId', value: unknown, strategy: KeyStrategy): string {
  if (value === undefined || value === null || value === '') {
    throw new InvalidKeyError(part, `The '${strategy}' key strategy needs a non-empty ${part}`);
  }
  if (typeof value !== 'string') {
    throw new InvalidKeyError(part, `${part} must be a string, got ${describeValue(value)}`);
  }
  if (SCOPE_PATTERN.test(value)) return value;
  if (value.length > 64) {
    throw new InvalidKeyError(part, `${part} is ${value.length} characters long; the limit is 64`);
  }
  const bad = [...value].find((char) => !/^[A-Za-z0-9_-]$/.test(char)) ?? '';
  const why = bad === KEY_SEPARATOR ? ` (the key separator: it would make the key ambiguous)` : '';
  throw new InvalidKeyError(
    part,
    `${part} "${printable(value)}" contains ${describeChar(bad)}${why}; allowed are A-Z a-z 0-9 _ -`,
  );
}

/** VM id: any text two producers cannot spell differently; it is the last part, so `.` is unambiguous. */
function checkVmId(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidKeyError('vmId', `vmId must be a non-empty string, got ${describeValue(value)}`);
  }
  checkText('vmId', value);
  return value;
}

function checkText(part: string, value: string): void {
  const bad = findBadChar(value);
  if (bad !== undefined) {
    throw new InvalidKeyError(
      part,
      `${part} "${printable(value)}" contains ${describeChar(bad)}, not allowed in a key`,
    );
  }
  if (value.trim() !== value) {
    throw new InvalidKeyError(
      part,
      `${part} "${printable(value)}" has leading or trailing whitespace; producers that trim would use another key`,
    );
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidKeyError(part, `${part} is ${bytes} UTF-8 bytes long; the limit is ${MAX_KEY_BYTES}`);
  }
}

// --- text helpers shared by keys, topics and headers (internal: not exported from index.ts) ---

// Control characters are what this pattern is for; a lone surrogate (\p{Cs} under /u) has no UTF-8 form.
// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/gu;

/** The first control character (C0, DEL, C1) or lone UTF-16 surrogate in `value`, if any. */
export function findBadChar(value: string): string | undefined {
  return BAD_CHAR.exec(value)?.[0];
}

/** `'x' (U+0078)`: a character as a person can read it in an error message. */
export function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `the control character ${hex}`;
  if (code >= 0xd800 && code <= 0xdfff) return `the lone surrogate ${hex}`;
  return `'${char}' (${hex})`;
}

/** A value for an error message: control characters escaped, long values cut. */
export function printable(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return cut.replace(BAD_CHARS, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** The type of a value for an error message (never the value itself, which may be anything). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : `"${printable(value)}"`;
  if (value === null) return 'null';
  return typeof value;
}
