import { createHash } from 'node:crypto';

import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  DELETE_ALL_KEY,
  InvalidKeyError,
  KEY_STRATEGIES,
  MAX_KEY_BYTES,
  buildDomainEventKey,
  buildEventKey,
  buildKey,
  isInvalidKeyError,
  isKeyStrategy,
  parseKey,
  type DomainEvent,
} from '@org/vmware-events-schema';

const parts = { vmId: 'vm-54321', environment: 'PROD', tenantId: 'tenantB' };
const event = { operationInfo: { vmId: 'vm-12345', environment: 'DEV', tenantId: 'tenantA' } };

function keyError(fn: () => unknown): InvalidKeyError {
  try {
    fn();
  } catch (error) {
    expect(isInvalidKeyError(error)).toBe(true);
    expect((error as InvalidKeyError).code).toBe('INVALID_KEY');
    expect((error as InvalidKeyError).retriable).toBe(false);
    return error as InvalidKeyError;
  }
  throw new Error('expected an InvalidKeyError, nothing was thrown');
}

describe('buildKey', () => {
  it('builds the key of every strategy as in the architecture table', () => {
    expect(buildKey('vmId', parts)).toBe('vm-54321');
    expect(buildKey('env.vmId', parts)).toBe('PROD.vm-54321');
    expect(buildKey('tenant.vmId', parts)).toBe('tenantB.vm-54321');
    expect(buildKey('env.tenant.vmId', parts)).toBe('PROD.tenantB.vm-54321');
  });

  it('hashes <env>.<tenant>.<vmId> with SHA-256 into 64 lowercase hex characters for the hash strategy', () => {
    const expected = createHash('sha256').update('PROD.tenantB.vm-54321').digest('hex');
    expect(buildKey('hash', parts)).toBe(expected);
    expect(buildKey('hash', parts)).toBe('bc9e84240e8babd7420d0f4de989328cea2784d361196dba3b3e2a321f5eb293');
    // a known SHA-256 value, so a change of the hashed text cannot go unnoticed
    expect(createHash('sha256').update('abc').digest('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('gives different hash keys to the same VM in different tenants', () => {
    expect(buildKey('hash', parts)).not.toBe(buildKey('hash', { ...parts, tenantId: 'tenantC' }));
  });

  it('needs only the vmId for the vmId strategy', () => {
    expect(buildKey('vmId', { vmId: 'vm-1' })).toBe('vm-1');
  });

  it.each([
    ['env.vmId', 'environment'],
    ['tenant.vmId', 'tenantId'],
    ['env.tenant.vmId', 'environment'],
    ['hash', 'environment'],
  ] as const)('rejects a missing part the %s strategy needs, naming %s', (strategy, part) => {
    const error = keyError(() => buildKey(strategy, { vmId: 'vm-1' }));
    expect(error.part).toBe(part);
    expect(error.message).toBe(`The '${strategy}' key strategy needs a non-empty ${part}`);
  });

  it('rejects an empty tenant naming tenantId', () => {
    const error = keyError(() => buildKey('tenant.vmId', { ...parts, tenantId: '' }));
    expect(error.part).toBe('tenantId');
  });

  it('rejects an empty vmId', () => {
    const error = keyError(() => buildKey('vmId', { vmId: '' }));
    expect(error.part).toBe('vmId');
    expect(error.message).toBe('vmId must be a non-empty string, got an empty string');
  });

  it('rejects a vmId that is not a string', () => {
    const error = keyError(() => buildKey('vmId', { vmId: 42 as unknown as string }));
    expect(error.message).toBe('vmId must be a non-empty string, got number');
  });

  it('rejects an environment containing the separator because the key would be ambiguous', () => {
    const error = keyError(() => buildKey('env.vmId', { ...parts, environment: 'eu.prod' }));
    expect(error.part).toBe('environment');
    expect(error.message).toBe(
      `environment "eu.prod" contains '.' (U+002E) (the key separator: it would make the key ambiguous); allowed are A-Z a-z 0-9 _ -`,
    );
  });

  it('rejects a tenant with a character outside the schema pattern, naming the character', () => {
    const error = keyError(() => buildKey('tenant.vmId', { ...parts, tenantId: 'tenant B' }));
    expect(error.part).toBe('tenantId');
    expect(error.message).toContain(`' ' (U+0020)`);
  });

  it('rejects an environment longer than 64 characters', () => {
    const error = keyError(() => buildKey('env.vmId', { ...parts, environment: 'E'.repeat(65) }));
    expect(error.message).toBe('environment is 65 characters long; the limit is 64');
  });

  it('allows a dot in the vmId because it is the last part and parses back unambiguously', () => {
    const key = buildKey('env.tenant.vmId', { ...parts, vmId: 'web01.example.com' });
    expect(key).toBe('PROD.tenantB.web01.example.com');
    expect(parseKey('env.tenant.vmId', key)).toEqual({
      environment: 'PROD',
      tenantId: 'tenantB',
      vmId: 'web01.example.com',
    });
  });

  it.each([
    ['a line feed', 'vm-1\n', 'the control character U+000A'],
    ['a NUL', 'vm\u00001', 'the control character U+0000'],
    ['DEL', 'vm\u007f1', 'the control character U+007F'],
    ['a C1 control', 'vm\u00851', 'the control character U+0085'],
    ['a lone surrogate', 'vm-\ud800', 'the lone surrogate U+D800'],
  ])('rejects a vmId with %s, naming it', (_what, vmId, described) => {
    const error = keyError(() => buildKey('vmId', { vmId }));
    expect(error.part).toBe('vmId');
    expect(error.message).toContain(described);
    expect(error.message).toContain('not allowed in a key');
  });

  it('escapes control characters when it shows the rejected value', () => {
    const error = keyError(() => buildKey('vmId', { vmId: 'vm\r\n1' }));
    expect(error.message).toContain('"vm\\u000d\\u000a1"');
  });

  it('rejects leading or trailing whitespace in the vmId, which producers that trim would key differently', () => {
    const error = keyError(() => buildKey('vmId', { vmId: ' vm-1' }));
    expect(error.message).toContain('leading or trailing whitespace');
  });

  it('accepts a vmId of exactly the byte limit and rejects one byte more', () => {
    expect(buildKey('vmId', { vmId: 'v'.repeat(MAX_KEY_BYTES) })).toHaveLength(MAX_KEY_BYTES);
    const error = keyError(() => buildKey('vmId', { vmId: 'v'.repeat(MAX_KEY_BYTES + 1) }));
    expect(error.message).toBe(
      `vmId is ${MAX_KEY_BYTES + 1} UTF-8 bytes long; the limit is ${MAX_KEY_BYTES}`,
    );
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const error = keyError(() => buildKey('vmId', { vmId: 'é'.repeat(MAX_KEY_BYTES / 2 + 1) }));
    expect(error.message).toContain(`${MAX_KEY_BYTES + 2} UTF-8 bytes`);
  });

  it('rejects a whole key over the limit even when every part is within it', () => {
    const error = keyError(() =>
      buildKey('env.tenant.vmId', {
        vmId: 'v'.repeat(MAX_KEY_BYTES - 10),
        environment: 'PROD',
        tenantId: 'tenantB',
      }),
    );
    expect(error.part).toBe('key');
    expect(error.message).toContain(`the limit is ${MAX_KEY_BYTES}`);
  });

  it('rejects an unknown strategy, listing the known ones', () => {
    const error = keyError(() => buildKey('vm' as never, parts));
    expect(error.part).toBe('strategy');
    expect(error.message).toBe(
      `Unknown key strategy "vm"; use one of 'vmId', 'env.vmId', 'tenant.vmId', 'env.tenant.vmId', 'hash'`,
    );
  });

  it('is an InvalidKeyError instance carrying its name', () => {
    const error = keyError(() => buildKey('vmId', { vmId: '' }));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(error.name).toBe('InvalidKeyError');
  });
});

describe('isKeyStrategy', () => {
  it('accepts every listed strategy and nothing else', () => {
    for (const strategy of KEY_STRATEGIES) expect(isKeyStrategy(strategy)).toBe(true);
    expect(isKeyStrategy('env.tenant')).toBe(false);
    expect(isKeyStrategy(undefined)).toBe(false);
  });
});

describe('buildEventKey', () => {
  it('keys by vmId by default', () => {
    expect(buildEventKey(event)).toBe('vm-12345');
  });

  it('reads environment and tenant from operationInfo for the compound strategies', () => {
    expect(buildEventKey(event, 'env.vmId')).toBe('DEV.vm-12345');
    expect(buildEventKey(event, 'tenant.vmId')).toBe('tenantA.vm-12345');
    expect(buildEventKey(event, 'env.tenant.vmId')).toBe('DEV.tenantA.vm-12345');
    expect(buildEventKey(event, 'hash')).toBe(
      buildKey('hash', { vmId: 'vm-12345', environment: 'DEV', tenantId: 'tenantA' }),
    );
  });
});

describe('parseKey', () => {
  it('parses every compound strategy back into its parts', () => {
    expect(parseKey('vmId', 'vm-54321')).toEqual({ vmId: 'vm-54321' });
    expect(parseKey('env.vmId', 'PROD.vm-54321')).toEqual({ environment: 'PROD', vmId: 'vm-54321' });
    expect(parseKey('tenant.vmId', 'tenantB.vm-54321')).toEqual({ tenantId: 'tenantB', vmId: 'vm-54321' });
    expect(parseKey('env.tenant.vmId', 'PROD.tenantB.vm-54321')).toEqual(parts);
  });

  it('round-trips buildKey for every non-hash strategy', () => {
    for (const strategy of KEY_STRATEGIES.filter((s) => s !== 'hash')) {
      const parsed = parseKey(strategy, buildKey(strategy, parts));
      expect(buildKey(strategy, { ...parts, ...parsed })).toBe(buildKey(strategy, parts));
    }
  });

  it('types the parsed parts by strategy (checked by tsc)', () => {
    const parsed = parseKey('env.vmId', 'PROD.vm-1');
    expectTypeOf(parsed).toEqualTypeOf<{ environment: string; vmId: string }>();
    // @ts-expect-error an env.vmId key has no tenant
    expect(parsed.tenantId).toBeUndefined();
    const strategy = 'tenant.vmId' as 'tenant.vmId' | 'env.tenant.vmId';
    expectTypeOf(parseKey(strategy, 'tenantB.vm-1').tenantId).toEqualTypeOf<string>();
    expectTypeOf(parseKey('hash', buildKey('hash', parts))).toEqualTypeOf<{ hash: string }>();
  });

  it('gives back only the digest of a hash key', () => {
    const key = buildKey('hash', parts);
    expect(parseKey('hash', key)).toEqual({ hash: key });
  });

  it('rejects a hash key that is not 64 lowercase hex characters', () => {
    const error = keyError(() => parseKey('hash', 'ABC'));
    expect(error.message).toBe(`A 'hash' key is 64 lowercase hex characters (SHA-256), got "ABC"`);
  });

  it('rejects a key without the separator its strategy needs, naming the missing part', () => {
    const error = keyError(() => parseKey('env.tenant.vmId', 'PROD.vm-1'));
    expect(error.part).toBe('tenantId');
    expect(error.message).toBe(
      `Key "PROD.vm-1" does not have the 'env.tenant.vmId' shape: the tenantId part is missing (no '.')`,
    );
  });

  it('rejects an empty part in a parsed key', () => {
    const error = keyError(() => parseKey('env.vmId', '.vm-1'));
    expect(error.part).toBe('environment');
  });

  it('rejects an empty key', () => {
    const error = keyError(() => parseKey('vmId', ''));
    expect(error.message).toBe('Key must be a non-empty string, got an empty string');
  });
});

describe('buildDomainEventKey', () => {
  it('keys DELETE_ALL with the nil UUID', () => {
    expect(buildDomainEventKey({ type: 'DELETE_ALL', tenant: 'diku' })).toBe(
      '00000000-0000-0000-0000-000000000000',
    );
    expect(DELETE_ALL_KEY).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('keys CREATE and UPDATE by the id of the new entity', () => {
    expect(buildDomainEventKey({ type: 'CREATE', tenant: 'diku', new: { id: 'i-1' } })).toBe('i-1');
    expect(
      buildDomainEventKey({ type: 'UPDATE', tenant: 'diku', old: { id: 'i-1' }, new: { id: 'i-1' } }),
    ).toBe('i-1');
  });

  it('keys DELETE by the id of the old entity', () => {
    expect(buildDomainEventKey({ type: 'DELETE', tenant: 'diku', old: { id: 'i-2' } })).toBe('i-2');
  });

  it('reads the id with idOf when the entity keeps it elsewhere', () => {
    const key = buildDomainEventKey(
      { type: 'CREATE', tenant: 'diku', new: { instanceId: 'in-9' } },
      (entity) => entity.instanceId,
    );
    expect(key).toBe('in-9');
  });

  it('writes an integer id in decimal', () => {
    expect(buildDomainEventKey({ type: 'CREATE', tenant: 'diku', new: { id: 42 } })).toBe('42');
  });

  it('rejects an event without new or old', () => {
    const error = keyError(() =>
      buildDomainEventKey({ type: 'UPDATE', tenant: 'diku' } as unknown as DomainEvent),
    );
    expect(error.part).toBe('entity');
    expect(error.message).toBe(`A UPDATE domain event needs 'new' or 'old' to take the key from`);
  });

  it('rejects an entity without an id, pointing at idOf', () => {
    const error = keyError(() => buildDomainEventKey({ type: 'CREATE', tenant: 'diku', new: { name: 'x' } }));
    expect(error.part).toBe('entity id');
    expect(error.message).toBe(
      'The entity of a CREATE domain event has no usable id (got undefined); pass idOf to read it',
    );
  });

  it('rejects an id with a control character', () => {
    const error = keyError(() =>
      buildDomainEventKey({ type: 'CREATE', tenant: 'diku', new: { id: 'a\tb' } }),
    );
    expect(error.part).toBe('entity id');
    expect(error.message).toContain('the control character U+0009');
  });
});
