/**
 * Event ids: the identity consumers deduplicate on. Random for a fresh event; name-based (UUID v5, RFC 9562 §5.5)
 * when the event has a natural identity, so that sending the same event again, from any process or language,
 * gives the same id.
 */
import { createHash, randomUUID } from 'node:crypto';

import { InvalidEventIdError } from './errors.js';

/** RFC 9562 namespace for fully qualified domain names. */
export const UUID_NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** RFC 9562 namespace for URLs. */
export const UUID_NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/**
 * The project's namespace for {@link deriveEventId}: `uuidV5('urn:org:vmware-events:event-id', UUID_NAMESPACE_URL)`.
 * Fixed forever: changing it changes every derived id.
 */
export const EVENT_ID_NAMESPACE = '38f26ca9-b0f8-548b-8ca4-4d3d89d38694';

/** Separator between identity parts in the v5 name: ASCII Unit Separator (U+001F), never part of a real id. */
export const EVENT_ID_SEPARATOR = '\u001f';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A fresh random event id (UUID v4). */
export function randomEventId(): string {
  return randomUUID();
}

/**
 * A name-based UUID v5 (RFC 9562 §5.5): SHA-1 of the namespace's 16 bytes followed by the UTF-8 bytes of `name`.
 *
 * @example uuidV5('python.org', UUID_NAMESPACE_DNS) // '886313e1-3b8a-5372-9b90-0c9aee199e5d'
 * @throws InvalidEventIdError when `namespace` is not a UUID.
 */
export function uuidV5(name: string, namespace: string): string {
  if (typeof namespace !== 'string' || !UUID_PATTERN.test(namespace)) {
    throw new InvalidEventIdError(
      `The UUID namespace must be a UUID like ${UUID_NAMESPACE_DNS}, got ${String(namespace)}`,
    );
  }
  if (typeof name !== 'string')
    throw new InvalidEventIdError(`The UUID v5 name must be a string, got ${typeof name}`);
  const digest = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stable event id from a natural identity: `uuidV5(parts.join('\u001f'), EVENT_ID_NAMESPACE)`, numbers written
 * in decimal. The same parts give the same id in every process and language (Python:
 * `uuid.uuid5(uuid.UUID('38f26ca9-b0f8-548b-8ca4-4d3d89d38694'), '\x1f'.join(parts))`).
 *
 * @example deriveEventId('vcenter', instanceUuid, eventKey) // the bridge: one id per vCenter event
 * @throws InvalidEventIdError when there are no parts, a number is not a safe integer, or a part contains U+001F.
 */
export function deriveEventId(...identity: (string | number)[]): string {
  if (identity.length === 0) throw new InvalidEventIdError('deriveEventId needs at least one identity part');
  const parts = identity.map((part, index) => {
    if (typeof part === 'number') {
      if (!Number.isSafeInteger(part)) {
        throw new InvalidEventIdError(
          `Identity part ${index} is the number ${part}; only safe integers have one decimal spelling in every language`,
        );
      }
      return String(part);
    }
    if (typeof part !== 'string') {
      throw new InvalidEventIdError(
        `Identity part ${index} must be a string or a number, got ${typeof part}`,
      );
    }
    if (part.includes(EVENT_ID_SEPARATOR)) {
      throw new InvalidEventIdError(
        `Identity part ${index} contains U+001F, the separator between identity parts`,
      );
    }
    if (/\p{Cs}/u.test(part)) {
      throw new InvalidEventIdError(
        `Identity part ${index} contains a lone UTF-16 surrogate, which has no UTF-8 form`,
      );
    }
    return part;
  });
  return uuidV5(parts.join(EVENT_ID_SEPARATOR), EVENT_ID_NAMESPACE);
}

/** True when `value` is a UUID string (any version) in the 8-4-4-4-12 hex form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
