// A symbolic link planted where a token file goes (issue 16, item 4): the cache neither writes
// through it (clobbering the link's target) nor reads a token through it.
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenCache } from './token-cache.js';

const MINUTE = 60_000;
let dir: string;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-cache-links-'));
  clock = 1_000_000_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cache = () => new TokenCache({ dir, marginMs: 10 * MINUTE, now: () => clock });
const fileOf = (key: string) => join(dir, 'tokens', TokenCache.fileName(key));
const fetchAs = (token: string) => async () => ({ token, expiresAt: clock + 60 * MINUTE });

describe('TokenCache and symbolic links', () => {
  it('replaces a link planted at a token file on the next refresh, leaving its target untouched', async () => {
    await cache().get('k', fetchAs('first'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    rmSync(fileOf('k'));
    symlinkSync(victim, fileOf('k'));

    clock += 55 * MINUTE; // inside the refresh margin: the next get fetches and writes
    expect((await cache().get('k', fetchAs('second'))).token).toBe('second');

    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(fileOf('k')).isSymbolicLink()).toBe(false);
    expect(lstatSync(fileOf('k')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(fileOf('k'), 'utf8')).token).toBe('second');
  });

  it("never reads a token through a link: another identity's token file is not handed out", async () => {
    await cache().get('other-identity', fetchAs('not-yours'));
    await cache().get('k', fetchAs('yours'));
    rmSync(fileOf('k'));
    symlinkSync(fileOf('other-identity'), fileOf('k'));

    expect(await cache().peek('k')).toBeUndefined();
    expect((await cache().get('k', fetchAs('yours-again'))).token).toBe('yours-again');
  });
});
