import { createHash, type Hash } from 'node:crypto';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { RegistryError } from './errors.js';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function isSha256Digest(digest: string): boolean {
  return SHA256.test(digest);
}

/** Only sha256 is produced by any registry we talk to; refusing others keeps verification honest. */
export function assertSupportedDigest(digest: string, what: string): void {
  if (!isSha256Digest(digest))
    throw new RegistryError(
      'AR_REGISTRY_INVALID_ARGUMENT',
      `${what} has digest "${digest}", which is not a sha256 digest (sha256:<64 hex>); only sha256 is supported.`,
    );
}

export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/**
 * Hashes and counts a blob's bytes as they arrive and says what is wrong with them: an excess as
 * soon as it arrives, a short or mismatched blob at the end. Streams that must not commit bad
 * bytes (DigestVerifier, the registry's blob stream) fail with its error.
 */
export class BlobCheck {
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;

  constructor(
    readonly expectedDigest: string,
    readonly expectedSize: number | undefined,
    readonly what: string,
  ) {
    assertSupportedDigest(expectedDigest, what);
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Takes the next chunk; an error when the blob is now longer than expected. */
  update(chunk: Uint8Array): RegistryError | undefined {
    this.#bytes += chunk.length;
    if (this.expectedSize !== undefined && this.#bytes > this.expectedSize)
      return sizeMismatch(this.what, this.expectedSize, `more than ${this.expectedSize}`);
    this.#hash.update(chunk);
    return undefined;
  }

  /** After the last chunk: an error when the size or digest differs. */
  finish(): RegistryError | undefined {
    if (this.expectedSize !== undefined && this.#bytes !== this.expectedSize)
      return sizeMismatch(this.what, this.expectedSize, String(this.#bytes));
    const actual = `sha256:${this.#hash.digest('hex')}`;
    if (actual === this.expectedDigest) return undefined;
    return new RegistryError(
      'AR_REGISTRY_DIGEST_MISMATCH',
      `${this.what}: the content hashes to ${actual}, not ${this.expectedDigest}. The data is corrupt ` +
        '(in the source or in transit); nothing was written. Retry, and if it persists, repair the source.',
    );
  }
}

/**
 * Passes bytes through while hashing and counting them, and fails the stream at its end when the
 * digest or size differs: a consumer that commits only on a clean end (temp file then rename,
 * an HTTP PUT the server completes only on a full body) never commits bad bytes. An excess is
 * caught as soon as it arrives rather than at the end.
 */
export class DigestVerifier extends Transform {
  readonly #check: BlobCheck;

  constructor(expectedDigest: string, expectedSize: number | undefined, what: string) {
    super({ highWaterMark: 1 << 20 });
    this.#check = new BlobCheck(expectedDigest, expectedSize, what);
  }

  get bytes(): number {
    return this.#check.bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const error = this.#check.update(chunk);
    if (error) callback(error);
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#check.finish());
  }
}

function sizeMismatch(what: string, expected: number, got: string): RegistryError {
  return new RegistryError(
    'AR_REGISTRY_SIZE_MISMATCH',
    `${what}: expected ${expected} bytes, got ${got}. The data is truncated or corrupt; nothing was written. ` +
      'Retry, and if it persists, repair the source.',
  );
}

/** `stream`, counted by a ByteCounter when someone listens to `onProgress`. */
export function countBytes(stream: Readable, onProgress: ((bytes: number) => void) | undefined): Readable {
  if (!onProgress) return stream;
  return pipeline(stream, new ByteCounter(onProgress), () => {
    // Errors reach the consumer through the counter.
  });
}

/** Reports the running byte count of what passes through (progress bars). */
export class ByteCounter extends Transform {
  #bytes = 0;

  constructor(readonly onBytes: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    this.onBytes(this.#bytes);
    callback(null, chunk);
  }
}
