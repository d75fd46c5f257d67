/**
 * Event ids. Same algorithm and namespace as `deriveEventId` of @org/vmware-events-schema
 * (UUID v5 of the parts joined by U+001F in the project's namespace).
 */
import { createHash } from 'node:crypto';

const EVENT_ID_NAMESPACE = '38f26ca9-b0f8-548b-8ca4-4d3d89d38694';

/** A name-based UUID v5 of the identity parts. */
export function deriveEventId(...parts: (string | number)[]): string {
  const digest = createHash('sha1')
    .update(Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(parts.map(String).join('\u001f'), 'utf8')
    .digest();
  const b = digest.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
