// Type declarations for the pure-JS codec packages, which ship none.
declare module 'lz4js' {
  /** LZ4 frame-format compression. */
  export function compress(src: Uint8Array): Uint8Array;
  /** LZ4 frame-format decompression. */
  export function decompress(src: Uint8Array): Uint8Array;
}
declare module 'kafkajs-snappy' {
  /** A kafkajs codec factory for snappy (xerial framing understood on read). */
  const codec: () => {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  export default codec;
}
