/**
 * Compression codecs for kafkajs, which ships gzip only. lz4 (frame format, as Kafka uses it) written here and read
 * with the pure-JS `lz4js`, snappy via `kafkajs-snappy` (pure-JS `snappyjs`), zstd via Node's built-in zlib (Node ≥ 22.15):
 * no native addon to build. Registration mutates kafkajs's codec table once; it only adds codecs.
 */
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import snappyCodec from 'kafkajs-snappy';
import * as lz4 from 'lz4js';
import * as xxh32 from 'lz4js/xxh32.js';

/** The compression names accepted in the options. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

let registered = false;

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK = 64 * 1024;
const HASH_BITS = 14;
const MIN_MATCH = 4;
/** A match may not start in the last 12 bytes of a block, and the last 5 bytes are always literals (LZ4 spec). */
const MF_LIMIT = 12;
const LAST_LITERALS = 5;

function writeLength(out: number[], length: number): void {
  let rest = length - 15;
  while (rest >= 255) {
    out.push(255);
    rest -= 255;
  }
  out.push(rest);
}

/**
 * One LZ4 block (greedy hash matching), strict about the end-of-block rules that lz4-java, Kafka's decoder,
 * enforces (lz4js's encoder is not, and Kafka rejects its blocks).
 */
export function lz4CompressBlock(src: Uint8Array, table: Int32Array): Uint8Array {
  const n = src.length;
  const out: number[] = [];
  let anchor = 0;
  const emit = (literalEnd: number, offset: number, matchLength: number) => {
    const literals = literalEnd - anchor;
    const ml = matchLength - MIN_MATCH;
    out.push((Math.min(literals, 15) << 4) | (matchLength === 0 ? 0 : Math.min(ml, 15)));
    if (literals >= 15) writeLength(out, literals);
    for (let k = anchor; k < literalEnd; k++) out.push(src[k]!);
    if (matchLength === 0) return;
    out.push(offset & 0xff, offset >>> 8);
    if (ml >= 15) writeLength(out, ml);
  };
  if (n > MF_LIMIT) {
    table.fill(-1);
    const read32 = (i: number) => src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
    const matchStartLimit = n - MF_LIMIT;
    const matchEndLimit = n - LAST_LITERALS;
    let i = 0;
    while (i < matchStartLimit) {
      const seq = read32(i);
      const h = Math.imul(seq, 2654435761) >>> (32 - HASH_BITS);
      const ref = table[h]!;
      table[h] = i;
      if (ref >= 0 && i - ref <= 0xffff && read32(ref) === seq) {
        let length = MIN_MATCH;
        while (i + length < matchEndLimit && src[ref + length] === src[i + length]) length++;
        emit(i, i - ref, length);
        i += length;
        anchor = i;
      } else {
        i++;
      }
    }
  }
  emit(n, 0, 0);
  return Uint8Array.from(out);
}

/**
 * LZ4 frame as Kafka's Java client writes it: version 01, independent blocks (Kafka rejects dependent ones),
 * 64 KiB maximum block size, no checksums.
 */
export function lz4CompressFrame(src: Uint8Array): Buffer {
  const table = new Int32Array(1 << HASH_BITS);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(7);
  header.writeUInt32LE(LZ4_MAGIC, 0);
  header[4] = 0x60; // FLG: version 01, block independence
  header[5] = 0x40; // BD: 64 KiB blocks
  header[6] = (xxh32.hash(0, header, 4, 2) >>> 8) & 0xff;
  parts.push(header);
  for (let offset = 0; offset < src.length; offset += LZ4_BLOCK) {
    const block = src.subarray(offset, Math.min(src.length, offset + LZ4_BLOCK));
    const compressed = lz4CompressBlock(block, table);
    const prefix = Buffer.alloc(4);
    if (compressed.length >= block.length) {
      prefix.writeUInt32LE((0x80000000 | block.length) >>> 0, 0);
      parts.push(prefix, Buffer.from(block));
    } else {
      prefix.writeUInt32LE(compressed.length, 0);
      parts.push(prefix, Buffer.from(compressed.buffer, compressed.byteOffset, compressed.length));
    }
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

function lz4Codec(): Codec {
  return {
    compress: ({ buffer }) => Promise.resolve(lz4CompressFrame(buffer)),
    decompress: (buffer) => Promise.resolve(Buffer.from(lz4.decompress(buffer))),
  };
}

function zstdCodec(): Codec {
  const z = zlib as unknown as {
    zstdCompress?: (b: Buffer, cb: (e: Error | null, r: Buffer) => void) => void;
    zstdDecompress?: (b: Buffer, cb: (e: Error | null, r: Buffer) => void) => void;
  };
  if (!z.zstdCompress || !z.zstdDecompress) {
    throw new Error(
      `zstd compression needs Node.js >= 22.15 (zlib.zstdCompress); this is ${process.version}`,
    );
  }
  const compress = promisify(z.zstdCompress);
  const decompress = promisify(z.zstdDecompress);
  return { compress: ({ buffer }) => compress(buffer), decompress: (buffer) => decompress(buffer) };
}

/** Registers the lz4, snappy and zstd codecs in kafkajs (idempotent). */
export function registerCodecs(): void {
  if (registered) return;
  // CompressionCodecs is not a named export Node's ESM loader can see in kafkajs (CJS): read it from the default.
  const codecs = kafkajs.CompressionCodecs as Record<number, () => Codec>;
  const lz4c = lz4Codec();
  codecs[CompressionTypes.Snappy] = snappyCodec;
  codecs[CompressionTypes.LZ4] = () => lz4c;
  const hasZstd = typeof (zlib as unknown as Record<string, unknown>).zstdCompress === 'function';
  if (hasZstd) {
    const zstd = zstdCodec();
    codecs[CompressionTypes.ZSTD] = () => zstd;
  }
  registered = true;
}

/** The kafkajs compression type for a name; throws when zstd is asked for on a Node without it. */
export function compressionType(name: CompressionName): CompressionTypes {
  switch (name) {
    case 'none':
      return CompressionTypes.None;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'snappy':
      return CompressionTypes.Snappy;
    case 'lz4':
      return CompressionTypes.LZ4;
    case 'zstd':
      zstdCodec();
      return CompressionTypes.ZSTD;
  }
}
