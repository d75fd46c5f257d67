// Type declarations for the pure-JS codec packages, which ship none.
declare module 'lz4js' {
  /** LZ4 frame-format compression. */
  export function compress(src: Uint8Array): Uint8Array;
  /** LZ4 frame-format decompression. */
  export function decompress(src: Uint8Array): Uint8Array;
  /** Worst-case compressed size of n bytes. */
  export function compressBound(n: number): number;
  /** Compresses one block; returns its size (0 when incompressible). */
  export function compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    hashTable: Uint32Array,
  ): number;
}
declare module 'lz4js/xxh32.js' {
  /** xxHash32 of src[index, index + length). */
  export function hash(seed: number, src: Uint8Array, index: number, length: number): number;
}
declare module 'kafkajs-snappy' {
  /** A kafkajs codec factory for snappy (xerial framing understood on read). */
  const codec: () => {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  export default codec;
}
