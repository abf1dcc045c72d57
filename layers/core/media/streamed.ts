/**
 * A file too large to hold in memory (an upload read from the media bucket): its size is known, its first
 * bytes are at hand (format, WAV header), and `open` reads it whole as a stream, from its first byte, each time
 * it is called (a retried provider request sends it again). `byteLength` is named as on a Uint8Array, so
 * `file.data.byteLength` is the size of either kind of file.
 */
export interface StreamedBytes {
  readonly byteLength: number;
  /** The file's first bytes (up to 64 KiB): what sniffing and duration headers need. */
  readonly head: Uint8Array;
  open(): ReadableStream<Uint8Array>;
}
