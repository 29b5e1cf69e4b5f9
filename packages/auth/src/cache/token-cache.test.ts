import { execFile } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleScript, sourcePath } from '../test/fixtures.js';
import { TokenCache } from './token-cache.js';

const MINUTE = 60_000;
let dir: string;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-cache-'));
  clock = 1_000_000_000_000;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cache = (marginMs = 10 * MINUTE) => new TokenCache({ dir, marginMs, now: () => clock });

function counter() {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetch: async (lifetimeMs = 60 * MINUTE) => {
      calls++;
      return { token: `token-${calls}`, expiresAt: clock + lifetimeMs };
    },
  };
}

const tokenFile = () =>
  join(dir, 'tokens', readdirSync(join(dir, 'tokens')).find((f) => f.endsWith('.json'))!);

describe('TokenCache', () => {
  it('fetches once, then serves from memory and from disk to a new process', async () => {
    const source = counter();
    expect((await cache().get('k', () => source.fetch())).token).toBe('token-1');
    const sameProcess = cache();
    await sameProcess.get('k', () => source.fetch());
    await sameProcess.get('k', () => source.fetch());
    expect(source.calls).toBe(1);
    expect((await cache().peek('k'))?.token).toBe('token-1');
  });

  it('shares one fetch between concurrent callers', async () => {
    const tokens = cache();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch = async () => {
      calls++;
      await gate;
      return { token: 'shared', expiresAt: clock + 60 * MINUTE };
    };
    const all = Promise.all(Array.from({ length: 20 }, () => tokens.get('k', fetch)));
    release();
    expect((await all).map((t) => t.token)).toEqual(Array(20).fill('shared'));
    expect(calls).toBe(1);
  });

  it('never hands out a token inside the refresh margin, and refreshes ahead of it', async () => {
    const source = counter();
    const tokens = cache();
    await tokens.get('k', () => source.fetch());
    clock += 49 * MINUTE; // 11 minutes left
    expect((await tokens.get('k', () => source.fetch())).token).toBe('token-1');
    clock += 2 * MINUTE; // 9 minutes left: inside the margin
    expect(await tokens.peek('k')).toBeUndefined();
    expect((await tokens.get('k', () => source.fetch())).token).toBe('token-2');
    expect(source.calls).toBe(2);
  });

  it('uses a short-lived token until half its life is gone, when it is shorter than twice the margin', async () => {
    const source = counter();
    const tokens = cache();
    await tokens.get('k', () => source.fetch(30_000));
    clock += 14_000;
    expect((await tokens.get('k', () => source.fetch(30_000))).token).toBe('token-1');
    clock += 2_000;
    expect((await tokens.get('k', () => source.fetch(30_000))).token).toBe('token-2');
  });

  it('refreshes on demand after a 401, unless another process already did', async () => {
    const source = counter();
    const tokens = cache();
    await tokens.get('k', () => source.fetch());
    expect((await tokens.get('k', () => source.fetch(), { forceRefresh: true })).token).toBe('token-2');
    expect(source.calls).toBe(2);
  });

  it('keys tokens apart', async () => {
    const source = counter();
    await cache().get('alice', () => source.fetch());
    expect((await cache().get('bob', () => source.fetch())).token).toBe('token-2');
  });

  it('writes a 0600 file under a 0700 directory, named by a hash, holding no identity', async () => {
    await cache().get('service-account-key:sa@p.iam.gserviceaccount.com', () => counter().fetch());
    expect(statSync(join(dir, 'tokens')).mode & 0o777).toBe(0o700);
    const file = tokenFile();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(file).not.toContain('sa@p');
    expect(readFileSync(file, 'utf8')).not.toContain('sa@p');
  });

  it.each([
    ['truncated', '{"token":"tok'],
    ['not JSON', '\u0000\u0001garbage'],
    ['the wrong shape', '{"token":42,"expiresAt":"soon"}'],
    ['empty', ''],
  ])('ignores and rewrites a %s cache file', async (_what, content) => {
    const source = counter();
    await cache().get('k', () => source.fetch());
    writeFileSync(tokenFile(), content);
    expect(await cache().peek('k')).toBeUndefined();
    expect((await cache().get('k', () => source.fetch())).token).toBe('token-2');
    expect(JSON.parse(readFileSync(tokenFile(), 'utf8')).token).toBe('token-2');
  });

  it('does not trust a cache file others can read, and replaces it', async () => {
    const source = counter();
    await cache().get('k', () => source.fetch());
    chmodSync(tokenFile(), 0o644);
    expect(await cache().peek('k')).toBeUndefined();
    await cache().get('k', () => source.fetch());
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
  });

  it('keeps tokens in memory only when the directory is open to others', async () => {
    mkdirSync(join(dir, 'tokens'), { mode: 0o777 });
    chmodSync(join(dir, 'tokens'), 0o777);
    const source = counter();
    const tokens = cache();
    await tokens.get('k', () => source.fetch());
    await tokens.get('k', () => source.fetch());
    expect(source.calls).toBe(1);
    expect(readdirSync(join(dir, 'tokens'))).toEqual([]);
  });

  it('lets many processes racing on a cold cache share one fetch', async () => {
    const bundle = await bundleScript(
      dir,
      'racer',
      `import { appendFileSync } from 'node:fs';
       import { TokenCache } from ${sourcePath('cache/token-cache.ts')};
       const [dir, log] = process.argv.slice(2);
       const cache = new TokenCache({ dir, marginMs: 600000 });
       cache.get('shared', async () => {
         appendFileSync(log, 'fetch\\n');
         await new Promise((r) => setTimeout(r, 300)); // a slow token endpoint widens the race
         return { token: 'token-from-' + process.pid, expiresAt: Date.now() + 3600000 };
       }).then((entry) => console.log(entry.token));`,
    );
    const log = join(dir, 'fetches.log');
    const run = promisify(execFile);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => run(process.execPath, [bundle, dir, log]).then((r) => r.stdout.trim())),
    );
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(new Set(answers).size).toBe(1);
  });
});
