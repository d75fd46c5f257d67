import { randomBytes } from 'node:crypto';
import * as lz4 from 'lz4js';
import { describe, expect, it } from 'vitest';
import { lz4CompressFrame } from '../../src/internal/compression.js';

describe('LZ4 frames as Kafka expects them', () => {
  it.each([0, 10, 1000, 64 * 1024, 200_000])('round-trips %i bytes with independent 64 KiB blocks', (n) => {
    const text = Buffer.from(
      Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7) % 13))).join(''),
      'latin1',
    );
    const noise = randomBytes(Math.floor(n / 4));
    const input = Buffer.concat([text, noise]);
    const frame = lz4CompressFrame(input);
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    expect(frame[4]! & 0x20).toBe(0x20); // block independence: Kafka rejects dependent blocks
    expect(Buffer.from(lz4.decompress(frame)).equals(input)).toBe(true);
  });
});
