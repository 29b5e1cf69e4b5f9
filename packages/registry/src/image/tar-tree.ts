import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { RegistryError } from '../errors.js';
import { FILE_CHUNK_BYTES, type FileTree, missingFile } from './file-tree.js';

interface TarEntry {
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;

/**
 * A tar file read in place: one pass over its headers records where each regular file's data
 * starts, then files are read with positional reads. This is what lets a multi-GiB docker-save
 * tar be pushed without extracting it, with layers streamed in any order and in parallel.
 * (tar-stream, used to write tars, only offers sequential extraction without offsets, hence this
 * small ustar/pax/GNU header reader.)
 */
export class TarTree implements FileTree {
  private constructor(
    readonly path: string,
    readonly entries: ReadonlyMap<string, TarEntry>,
  ) {}

  static async index(path: string): Promise<TarTree> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new RegistryError('AR_REGISTRY_IO', `Cannot open ${path}: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    const entries = new Map<string, TarEntry>();
    try {
      const { size: fileSize } = await handle.stat();
      const header = Buffer.alloc(BLOCK);
      let position = 0;
      let longName: string | undefined;
      let paxPath: string | undefined;
      while (position + BLOCK <= fileSize) {
        await handle.read(header, 0, BLOCK, position);
        if (header.every((b) => b === 0)) break;
        if (!checksumOk(header)) throw invalidTar(path, `bad header checksum at byte ${position}`);
        const size = parseNumber(header.subarray(124, 136));
        const type = String.fromCharCode(header[156] ?? 0);
        const dataOffset = position + BLOCK;
        if (dataOffset + size > fileSize) throw invalidTar(path, 'it is truncated');
        if (type === 'x' || type === 'L') {
          const data = Buffer.alloc(size);
          await handle.read(data, 0, size, dataOffset);
          if (type === 'L') longName = cString(data);
          else paxPath = parsePax(data).path ?? paxPath;
        } else if (type !== 'g') {
          const name = normalizeName(paxPath ?? longName ?? ustarName(header));
          longName = undefined;
          paxPath = undefined;
          if (type === '0' || type === '\0' || type === '7') entries.set(name, { offset: dataOffset, size });
        }
        position = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      }
    } finally {
      await handle.close();
    }
    return new TarTree(path, entries);
  }

  get description(): string {
    return this.path;
  }

  async has(name: string): Promise<boolean> {
    return this.entries.has(normalizeName(name));
  }

  #entry(name: string): TarEntry {
    const entry = this.entries.get(normalizeName(name));
    if (!entry) throw missingFile(this.path, name, undefined);
    return entry;
  }

  async size(name: string): Promise<number> {
    return this.#entry(name).size;
  }

  async read(name: string): Promise<Buffer> {
    return this.head(name, Number.POSITIVE_INFINITY);
  }

  async head(name: string, length: number): Promise<Buffer> {
    const found = this.#entry(name);
    const entry = { offset: found.offset, size: Math.min(found.size, length) };
    const handle = await open(this.path, 'r');
    try {
      const data = Buffer.alloc(entry.size);
      await handle.read(data, 0, entry.size, entry.offset);
      return data;
    } finally {
      await handle.close();
    }
  }

  open(name: string): Readable {
    const entry = this.#entry(name);
    if (entry.size === 0) return createReadStream(this.path, { start: 1, end: 0 });
    return createReadStream(this.path, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: FILE_CHUNK_BYTES,
    });
  }
}

function normalizeName(name: string): string {
  return name.replace(/^\.\//, '').replace(/^\/+/, '');
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end < 0 ? buffer.length : end).toString('utf8');
}

function ustarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const magic = header.subarray(257, 262).toString('latin1');
  const prefix = magic === 'ustar' ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal, or GNU base-256 for sizes of 8 GiB and more. */
function parseNumber(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === stored;
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number.parseInt(data.subarray(offset, space).toString('latin1'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

function invalidTar(path: string, reason: string): RegistryError {
  return new RegistryError('AR_REGISTRY_ARCHIVE_INVALID', `${path} is not a valid tar file: ${reason}.`);
}
