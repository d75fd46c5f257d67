import { describe, expect, it } from 'vitest';

import {
  EVENT_ID_NAMESPACE,
  UUID_NAMESPACE_DNS,
  UUID_NAMESPACE_URL,
  deriveEventId,
  isInvalidEventIdError,
  isUuid,
  randomEventId,
  uuidV5,
} from '@org/vmware-events-schema';

function eventIdError(fn: () => unknown): Error & { code: string } {
  try {
    fn();
  } catch (error) {
    expect(isInvalidEventIdError(error)).toBe(true);
    return error as Error & { code: string };
  }
  throw new Error('expected an InvalidEventIdError, nothing was thrown');
}

describe('uuidV5', () => {
  // Vectors computed with Python's uuid.uuid5 (RFC 4122 / RFC 9562 name-based UUIDs).
  it('gives the RFC 9562 / Python result for python.org in the DNS namespace', () => {
    expect(uuidV5('python.org', UUID_NAMESPACE_DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('gives the RFC 9562 appendix A.4 result for www.example.com in the DNS namespace', () => {
    expect(uuidV5('www.example.com', UUID_NAMESPACE_DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('accepts the namespace in upper case', () => {
    expect(uuidV5('python.org', UUID_NAMESPACE_DNS.toUpperCase())).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('sets version 5 and the RFC variant', () => {
    const id = uuidV5('anything', UUID_NAMESPACE_URL);
    expect(id[14]).toBe('5');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('rejects a namespace that is not a UUID', () => {
    const error = eventIdError(() => uuidV5('x', 'not-a-uuid'));
    expect(error.code).toBe('INVALID_EVENT_ID');
    expect(error.message).toBe(
      'The UUID namespace must be a UUID like 6ba7b810-9dad-11d1-80b4-00c04fd430c8, got not-a-uuid',
    );
  });
});

describe('deriveEventId', () => {
  it('uses the documented project namespace, itself derived from a URN in the URL namespace', () => {
    expect(uuidV5('urn:org:vmware-events:event-id', UUID_NAMESPACE_URL)).toBe(EVENT_ID_NAMESPACE);
  });

  it('gives the same id as Python for the bridge identity (vcenter, instance UUID, event key)', () => {
    // uuid.uuid5(uuid.UUID(EVENT_ID_NAMESPACE), '\x1f'.join(['vcenter', '4c4c4544-…', '1234']))
    expect(deriveEventId('vcenter', '4c4c4544-0042-4b10-8052-b7c04f4d4e32', 1234)).toBe(
      '7bd83482-369d-5871-88b3-aa94aae6f8b9',
    );
  });

  it('encodes non-ASCII parts as UTF-8 like other languages', () => {
    expect(deriveEventId('héllo', 'Ω')).toBe('8447fcde-bd59-5978-b258-5f8fdd9cc5c3');
  });

  it('is stable for the same identity and different for another', () => {
    expect(deriveEventId('vcenter', 'u', 1)).toBe(deriveEventId('vcenter', 'u', 1));
    expect(deriveEventId('vcenter', 'u', 1)).not.toBe(deriveEventId('vcenter', 'u', 2));
  });

  it('writes a number the same as its decimal string', () => {
    expect(deriveEventId('vcenter', 'u', 1234)).toBe(deriveEventId('vcenter', 'u', '1234'));
  });

  it('keeps part boundaries: (ab, c) and (a, bc) give different ids', () => {
    expect(deriveEventId('ab', 'c')).not.toBe(deriveEventId('a', 'bc'));
  });

  it('produces a lowercase UUID the event schema accepts', () => {
    expect(deriveEventId('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('rejects an empty identity', () => {
    expect(eventIdError(() => deriveEventId()).message).toBe(
      'deriveEventId needs at least one identity part',
    );
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects the number %s', (value) => {
    expect(eventIdError(() => deriveEventId('x', value)).message).toContain(
      `Identity part 1 is the number ${value}; only safe integers`,
    );
  });

  it('rejects a part containing the U+001F separator', () => {
    expect(eventIdError(() => deriveEventId('a\u001fb')).message).toBe(
      'Identity part 0 contains U+001F, the separator between identity parts',
    );
  });

  it('rejects a part with a lone surrogate, which has no UTF-8 form', () => {
    expect(eventIdError(() => deriveEventId('a\ud800')).message).toContain('lone UTF-16 surrogate');
  });

  it('rejects a part that is neither string nor number', () => {
    expect(eventIdError(() => deriveEventId(null as unknown as string)).message).toBe(
      'Identity part 0 must be a string or a number, got object',
    );
  });
});

describe('randomEventId', () => {
  it('returns a fresh version 4 UUID every call', () => {
    const a = randomEventId();
    const b = randomEventId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});

describe('isUuid', () => {
  it('recognises the 8-4-4-4-12 form only', () => {
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('0000000000000000000000000000000')).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});
