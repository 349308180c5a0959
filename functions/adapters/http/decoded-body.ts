/**
 * Reads a response body through its Content-Encoding (gzip, deflate, br, or a list of them) and stops
 * as soon as the DECODED bytes pass the cap: the cap is what protects memory, and a 10 KB gzip bomb
 * inflates to gigabytes, so counting the bytes on the wire would not.
 */
import { createBrotliDecompress, createGunzip, createInflate, constants } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';

/** The decoded body passed the cap. */
export class BodyTooLargeError extends Error {}

/** A Content-Encoding we cannot decode (compress, zstd, made-up ones). */
export class UnsupportedEncodingError extends Error {}

function decoderFor(encoding: string): Transform {
  // Lenient flushes: many servers end gzip streams without the final block; what arrived is still usable.
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    return createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  }
  if (encoding === 'deflate') return createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
  if (encoding === 'br') return createBrotliDecompress();
  throw new UnsupportedEncodingError(`unsupported Content-Encoding: ${encoding}`);
}

/** The body of `stream`, decoded per `contentEncoding`, at most `maxBytes` long (else BodyTooLargeError). */
export async function decodedBody(stream: Readable, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  // Encodings are listed in the order they were applied; undo them last first.
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry && entry !== 'identity')
    .reverse();
  let decoders: Transform[];
  try {
    decoders = encodings.map(decoderFor);
  } catch (error) {
    discard(stream);
    throw error;
  }
  let source: Readable = stream;
  for (const decoder of decoders) {
    source.on('error', (error) => decoder.destroy(error));
    source = source.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new BodyTooLargeError();
      chunks.push(chunk);
    }
  } finally {
    if (total > maxBytes || !stream.readableEnded) {
      discard(stream);
      for (const decoder of decoders) discard(decoder);
    }
  }
  return Buffer.concat(chunks, total);
}

/**
 * Stops reading `stream` and frees its socket. A zlib decoder (and a response stream someone listens
 * to) emits an error when destroyed early; nobody is waiting for it any more, so it is swallowed instead
 * of crashing the process.
 */
export function discard(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}
