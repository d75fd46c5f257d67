/**
 * Compression codecs for kafkajs, which ships gzip only. lz4 (frame format, as Kafka uses it) via the pure-JS
 * `lz4js`, snappy via `kafkajs-snappy` (pure-JS `snappyjs`), zstd via Node's built-in zlib (Node ≥ 22.15):
 * no native addon to build. Registration mutates kafkajs's codec table once; it only adds codecs.
 */
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import snappyCodec from 'kafkajs-snappy';
import * as lz4 from 'lz4js';

/** The compression names accepted in the options. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

let registered = false;

function lz4Codec(): Codec {
  return {
    compress: async ({ buffer }) => Buffer.from(lz4.compress(buffer)),
    decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
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
  const codecs = CompressionCodecs as Record<number, () => Codec>;
  const lz4c = lz4Codec();
  codecs[CompressionTypes.Snappy] = snappyCodec as () => Codec;
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
