import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedToken {
  token: string;
  expiresAt: number;
  issuedAt: number;
}

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
 * less than the margin left is never returned; a token that was shorter-lived than twice the
 * margin from the start (tests, short-lived STS tokens) is usable until half its life is gone.
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
    if (!entry) return false;
    const left = entry.expiresAt - this.#now();
    return left > 0 && left >= Math.min(this.#options.marginMs, (entry.expiresAt - entry.issuedAt) / 2);
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
    const dir = await this.#usableDir(false);
    const found = dir ? await readEntry(join(dir, TokenCache.fileName(key))) : undefined;
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
    const dir = await this.#usableDir(true);
    const file = dir && join(dir, TokenCache.fileName(key));
    // Loaded here, not at the top: a warm `peek` (the credential helper's hot path) needs neither.
    const [{ default: lockfile }, { default: writeFileAtomic }] = await Promise.all([
      import('proper-lockfile'),
      import('write-file-atomic'),
    ]);
    const store = async (): Promise<CachedToken> => {
      const onDisk = file ? await readEntry(file) : undefined;
      // Another process may have refreshed while we waited for the lock.
      if (acceptable(onDisk)) return onDisk;
      const issuedAt = this.#now();
      const fetched = await fetch();
      const entry = {
        token: fetched.token,
        issuedAt,
        expiresAt: fetched.expiresAt ?? issuedAt + DEFAULT_LIFETIME_MS,
      };
      if (file) await writeFileAtomic(file, JSON.stringify(entry), { mode: 0o600 });
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

  /**
   * The cache directory, when it is ours alone: owned by this user and closed to others.
   * Anything else is not trusted: tokens then stay in memory.
   */
  async #usableDir(create: boolean): Promise<string | undefined> {
    const dir = this.#options.dir && join(this.#options.dir, 'tokens');
    if (!dir) return undefined;
    if (create) await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => {});
    try {
      const info = await stat(dir);
      const uid = process.getuid?.();
      if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0)
        return undefined;
      return dir;
    } catch {
      return undefined;
    }
  }
}

/** A cache file, if it is whole, ours, private and well-formed; anything else is ignored. */
async function readEntry(file: string): Promise<CachedToken | undefined> {
  try {
    const info = await stat(file);
    const uid = process.getuid?.();
    if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) return undefined;
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CachedToken>;
    if (typeof parsed.token !== 'string' || !parsed.token) return undefined;
    if (typeof parsed.expiresAt !== 'number' || typeof parsed.issuedAt !== 'number') return undefined;
    return { token: parsed.token, expiresAt: parsed.expiresAt, issuedAt: parsed.issuedAt };
  } catch {
    return undefined;
  }
}
