import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RegistryError } from '../errors.js';

/** Read access to the files of an image format, whether in a folder or inside a tar. */
export interface FileTree {
  readonly description: string;
  has(name: string): Promise<boolean>;
  size(name: string): Promise<number>;
  read(name: string): Promise<Buffer>;
  open(name: string): Readable;
  /** Up to `length` bytes from the start (to sniff compression). */
  head(name: string, length: number): Promise<Buffer>;
}

/** Large reads keep syscalls (and stream overhead) low on multi-GiB layers. */
export const FILE_CHUNK_BYTES = 1 << 20;

export class DirectoryTree implements FileTree {
  constructor(readonly root: string) {}

  get description(): string {
    return this.root;
  }

  async has(name: string): Promise<boolean> {
    try {
      return (await stat(join(this.root, name))).isFile();
    } catch {
      return false;
    }
  }

  async size(name: string): Promise<number> {
    try {
      return (await stat(join(this.root, name))).size;
    } catch (error) {
      throw missingFile(this.root, name, error);
    }
  }

  async read(name: string): Promise<Buffer> {
    try {
      return await readFile(join(this.root, name));
    } catch (error) {
      throw missingFile(this.root, name, error);
    }
  }

  open(name: string): Readable {
    return createReadStream(join(this.root, name), { highWaterMark: FILE_CHUNK_BYTES });
  }

  async head(name: string, length: number): Promise<Buffer> {
    const handle = await open(join(this.root, name), 'r').catch((error) => {
      throw missingFile(this.root, name, error);
    });
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}

export function missingFile(where: string, name: string, cause: unknown): RegistryError {
  return new RegistryError(
    'AR_REGISTRY_ARCHIVE_INVALID',
    `${where} has no readable ${name}: the image is incomplete or not in the expected format.`,
    { cause },
  );
}
