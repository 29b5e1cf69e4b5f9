import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EmulatorError } from '../errors.js';
import { DIGEST } from '../names.js';

/** A blob written to a temp file, hashed and fsynced, not yet visible. */
export interface StagedBlob {
  path: string;
  digest: string;
  size: number;
}

/**
 * Content-addressed blob files. A blob becomes visible only by a rename of a complete, fsynced
 * file whose digest was checked: whatever the moment of a crash, a path under `blobs/` holds
 * whole, verified content, and leftovers under `tmp/` are removed at the next start.
 */
export class BlobStore {
  readonly #blobs: string;
  readonly #tmp: string;

  constructor(dataDir: string) {
    this.#blobs = join(dataDir, 'blobs', 'sha256');
    this.#tmp = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.#blobs, { recursive: true });
    // Uploads interrupted by a crash or stop: never committed, so never visible; drop them.
    await rm(this.#tmp, { recursive: true, force: true });
    await mkdir(this.#tmp, { recursive: true });
  }

  path(digest: string): string {
    const hex = digest.slice('sha256:'.length);
    return join(this.#blobs, hex.slice(0, 2), hex);
  }

  /** Size of a stored blob, or undefined when absent. */
  async size(digest: string): Promise<number | undefined> {
    if (!DIGEST.test(digest)) return undefined;
    try {
      return (await stat(this.path(digest))).size;
    } catch {
      return undefined;
    }
  }

  /** Streams `source` into a temp file, hashing as it goes, and fsyncs it. */
  async stage(source: Readable, options: { maxBytes?: number } = {}): Promise<StagedBlob> {
    const path = join(this.#tmp, randomUUID());
    const handle = await open(path, 'wx', 0o644);
    const sink = new HashingFileSink(handle, options.maxBytes);
    try {
      await pipeline(source, sink);
      await sink.flushed();
      await handle.sync();
    } catch (error) {
      await sink.flushed().catch(() => {});
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw error;
    }
    await handle.close();
    return { path, digest: sink.digest(), size: sink.size };
  }

  /**
   * Makes a staged blob visible under `expected`, or deletes it and throws DIGEST_INVALID when
   * its content has another digest.
   */
  async commit(staged: StagedBlob, expected: string): Promise<void> {
    if (staged.digest !== expected) {
      await this.discard(staged);
      throw new EmulatorError(
        'AR_EMULATOR_DIGEST_INVALID',
        `The uploaded content has digest ${staged.digest}, not the ${expected} the client named; nothing was stored.`,
        { detail: { expected, actual: staged.digest } },
      );
    }
    const target = this.path(expected);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    await rename(staged.path, target);
    await syncDir(dir);
  }

  async discard(staged: StagedBlob): Promise<void> {
    await unlink(staged.path).catch(() => {});
  }

  /** Stores `source` as one verified blob. */
  async put(source: Readable, expected: string): Promise<number> {
    const staged = await this.stage(source);
    await this.commit(staged, expected);
    return staged.size;
  }

  read(digest: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.path(digest), {
      highWaterMark: 1 << 20,
      ...(range === undefined ? {} : { start: range.start, end: range.end }),
    });
  }

  /** Removes a blob file (only when no repository links it any more). */
  async remove(digest: string): Promise<void> {
    await unlink(this.path(digest)).catch(() => {});
  }

  /** Every stored digest (for garbage collection and tests). */
  async digests(): Promise<string[]> {
    const result: string[] = [];
    for (const prefix of await readdir(this.#blobs).catch(() => [])) {
      for (const hex of await readdir(join(this.#blobs, prefix)).catch(() => []))
        result.push(`sha256:${hex}`);
    }
    return result;
  }
}

/** A rename is durable only once its directory entry is. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flush written data to disk every this many bytes, while more keeps arriving. */
const SYNC_EVERY = 16 * 1024 * 1024;

/**
 * Writes to a file handle, hashing on the way. Data is flushed to disk in the background as it
 * arrives (fdatasync every 16 MiB, never two at once), so the final fsync has little left to do
 * and durability costs little throughput on big blobs.
 */
class HashingFileSink extends Writable {
  readonly #hash = createHash('sha256');
  #size = 0;
  #sinceSync = 0;
  #syncing: Promise<void> | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly maxBytes: number | undefined,
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  get size(): number {
    return this.#size;
  }

  digest(): string {
    return `sha256:${this.#hash.digest('hex')}`;
  }

  /** Waits for a background flush still running. */
  async flushed(): Promise<void> {
    await this.#syncing;
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const buffers = chunks.map((entry) => entry.chunk);
    for (const buffer of buffers) {
      this.#size += buffer.length;
      this.#hash.update(buffer);
    }
    if (this.maxBytes !== undefined && this.#size > this.maxBytes) {
      callback(new EmulatorError('AR_EMULATOR_MANIFEST_TOO_LARGE', `Body exceeds ${this.maxBytes} bytes.`));
      return;
    }
    const length = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.#writeAll(buffers, length).then(() => {
      this.#sinceSync += length;
      if (this.#sinceSync >= SYNC_EVERY && this.#syncing === undefined) {
        this.#sinceSync = 0;
        this.#syncing = this.handle.datasync().finally(() => {
          this.#syncing = undefined;
        });
      }
      callback();
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  async #writeAll(buffers: Buffer[], length: number): Promise<void> {
    let { bytesWritten } = await this.handle.writev(buffers);
    // Short writes are rare on regular files, but possible: finish what is left.
    while (bytesWritten < length) {
      const rest = Buffer.concat(buffers).subarray(bytesWritten);
      bytesWritten += (await this.handle.write(rest)).bytesWritten;
    }
  }
}
