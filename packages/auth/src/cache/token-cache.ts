import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CachedToken, isFreshToken, isPrivateDir, readTokenFile } from './token-file.js';
import { writePrivateFile } from './write-private-file.js';

export type { CachedToken } from './token-file.js';

export interface TokenCacheOptions {
  /** Per-user directory; created 0700. `undefined` keeps tokens in memory only. */
  dir?: string;
  /** A token with less life left than this is never handed out. */
  marginMs: number;
  now?: () => number;
}

/** Google access tokens last an hour; a source that does not say gets that. */
const DEFAULT_LIFETIME_MS = 3_600_000;

/**
 * Access tokens, in memory and on disk, keyed by identity + scopes. Concurrent callers in one
 * process share one fetch; processes share one refresh through a lock on the file. A token with
 * less than the margin left is never returned (see `isFreshToken`).
 */
export class TokenCache {
  readonly #memory = new Map<string, CachedToken>();
  readonly #inflight = new Map<string, Promise<CachedToken>>();
  readonly #options: TokenCacheOptions;
  readonly #now: () => number;

  constructor(options: TokenCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The file name for a key: a hash, so nothing about the identity shows in the directory. */
  static fileName(key: string): string {
    return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
  }

  isFresh(entry: CachedToken | undefined): entry is CachedToken {
    return isFreshToken(entry, this.#now(), this.#options.marginMs);
  }

  /** The file that holds (or will hold) the token for `key`; undefined when tokens stay in memory. */
  fileFor(key: string): string | undefined {
    const dir = this.#usableDir();
    return dir && join(dir, TokenCache.fileName(key));
  }

  /** A fresh token for `key`, fetching it (once, across callers and processes) when needed. */
  async get(
    key: string,
    fetch: () => Promise<{ token: string; expiresAt?: number }>,
    options: { forceRefresh?: boolean } = {},
  ): Promise<CachedToken> {
    const remembered = this.#memory.get(key);
    if (!options.forceRefresh && this.isFresh(remembered)) return remembered;
    const running = this.#inflight.get(key);
    if (running) return running;
    const startedAt = this.#now();
    const work = this.#refresh(key, fetch, options.forceRefresh ? startedAt : undefined).finally(() =>
      this.#inflight.delete(key),
    );
    this.#inflight.set(key, work);
    return work;
  }

  /** Reads a cached token for `key` from disk without fetching: the credential helper's fast path. */
  async peek(key: string): Promise<CachedToken | undefined> {
    const remembered = this.#memory.get(key);
    if (this.isFresh(remembered)) return remembered;
    const file = this.fileFor(key);
    const found = file ? readTokenFile(file) : undefined;
    if (!this.isFresh(found)) return undefined;
    this.#memory.set(key, found);
    return found;
  }

  async #refresh(
    key: string,
    fetch: () => Promise<{ token: string; expiresAt?: number }>,
    mustBeNewerThan: number | undefined,
  ): Promise<CachedToken> {
    const acceptable = (entry: CachedToken | undefined): entry is CachedToken =>
      this.isFresh(entry) && (mustBeNewerThan === undefined || entry.issuedAt > mustBeNewerThan);
    if (this.#options.dir)
      await mkdir(join(this.#options.dir, 'tokens'), { recursive: true, mode: 0o700 }).catch(() => {});
    const file = this.fileFor(key);
    // Loaded here, not at the top: a `peek` (cachedAccessToken) does not need it.
    const { default: lockfile } = await import('proper-lockfile');
    const store = async (): Promise<CachedToken> => {
      const onDisk = file ? readTokenFile(file) : undefined;
      // Another process may have refreshed while we waited for the lock.
      if (acceptable(onDisk)) return onDisk;
      const issuedAt = this.#now();
      const fetched = await fetch();
      const entry = {
        token: fetched.token,
        issuedAt,
        expiresAt: fetched.expiresAt ?? issuedAt + DEFAULT_LIFETIME_MS,
      };
      if (file) await writePrivateFile(file, JSON.stringify(entry));
      return entry;
    };
    let entry: CachedToken;
    if (file) {
      const release = await lockfile.lock(file, {
        realpath: false,
        lockfilePath: `${file}.lock`,
        stale: 30_000,
        retries: { retries: 200, factor: 1.2, minTimeout: 10, maxTimeout: 250 },
      });
      try {
        entry = await store();
      } finally {
        await release().catch(() => {});
      }
    } else {
      entry = await store();
    }
    this.#memory.set(key, entry);
    return entry;
  }

  /** The cache directory, when it is ours alone (see `isPrivateDir`); anything else keeps tokens in memory. */
  #usableDir(): string | undefined {
    const dir = this.#options.dir && join(this.#options.dir, 'tokens');
    return dir && isPrivateDir(dir) ? dir : undefined;
  }
}
