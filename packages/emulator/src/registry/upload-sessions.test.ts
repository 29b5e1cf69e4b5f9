import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../store/blob-store.js';
import { UploadSessions } from './upload-sessions.js';

const MINUTE = 60_000;
let dataDir: string;
let blobs: BlobStore;
let now: number;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ar-upload-sessions-'));
  blobs = new BlobStore(dataDir);
  await blobs.init();
  now = 1_000_000;
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('upload sessions', () => {
  it('ends sessions idle past the timeout and removes their staged data; used and busy ones stay', async () => {
    const sessions = new UploadSessions(blobs, 60 * MINUTE, () => now);
    const abandoned = sessions.open(1, 'app');
    abandoned.staged = await blobs.stage(Readable.from([Buffer.from('left behind')]));
    const used = sessions.open(1, 'app');
    const busy = sessions.open(1, 'app');
    busy.busy = true;
    now += 45 * MINUTE;
    expect(sessions.use(used.id)).toBe(used);
    expect(await sessions.expireIdle()).toBe(0);
    now += 15 * MINUTE;
    expect(await sessions.expireIdle()).toBe(1);
    expect(sessions.use(abandoned.id)).toBeUndefined();
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    now += 60 * MINUTE;
    expect(await sessions.expireIdle()).toBe(1);
    expect(sessions.use(used.id)).toBeUndefined();
    expect(sessions.use(busy.id)).toBe(busy);
    expect(sessions.size).toBe(1);
  });

  it('forgets a finished session without touching its data, and an abandoned one with it', async () => {
    const sessions = new UploadSessions(blobs, MINUTE, () => now);
    const finished = sessions.open(1, 'app');
    finished.staged = await blobs.stage(Readable.from([Buffer.from('committed by the caller')]));
    sessions.finish(finished);
    expect(await readdir(join(dataDir, 'tmp'))).toHaveLength(1);
    const cancelled = sessions.open(1, 'app');
    cancelled.staged = await blobs.stage(Readable.from([Buffer.from('cancelled')]));
    await sessions.abandon(cancelled);
    expect(await readdir(join(dataDir, 'tmp'))).toHaveLength(1);
    expect(sessions.size).toBe(0);
  });
});
