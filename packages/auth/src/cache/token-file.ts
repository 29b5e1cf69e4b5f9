import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';

/** A cached access token as it is kept on disk, one file per identity + scopes. */
export interface CachedToken {
  token: string;
  expiresAt: number;
  issuedAt: number;
}

// Synchronous on purpose: a few tiny reads, shared by TokenCache and the credential helper's warm
// path, which does all its work in one synchronous pass.

/** Owned by this user and closed to everyone else: anything else is not trusted with tokens. */
function isPrivate(info: { uid: number; mode: number }): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o077) === 0;
}

/** True when `dir` is a directory this user alone can read and write. */
export function isPrivateDir(dir: string): boolean {
  const info = statSync(dir, { throwIfNoEntry: false });
  return Boolean(info?.isDirectory() && isPrivate(info));
}

/**
 * The text of `file` when it is a regular file that is ours and closed to everyone else; undefined
 * otherwise (absent, a symbolic link, another user's, readable or writable by others): such a file
 * is never trusted. A link is refused rather than followed (O_NOFOLLOW): the cache only ever holds
 * files it wrote, so a link there was planted, and a token read through one could be another
 * identity's. O_NONBLOCK keeps a FIFO planted there from blocking the open.
 */
export function readPrivateFile(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    return info.isFile() && isPrivate(info) ? readFileSync(fd, 'utf8') : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A cache file, if it is whole, ours, private and well-formed; anything else is ignored. */
export function readTokenFile(file: string): CachedToken | undefined {
  try {
    const text = readPrivateFile(file);
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as Partial<CachedToken>;
    if (typeof parsed.token !== 'string' || !parsed.token) return undefined;
    if (typeof parsed.expiresAt !== 'number' || typeof parsed.issuedAt !== 'number') return undefined;
    return { token: parsed.token, expiresAt: parsed.expiresAt, issuedAt: parsed.issuedAt };
  } catch {
    return undefined;
  }
}

/**
 * A token with less than `marginMs` left is never handed out; one that was shorter-lived than twice
 * the margin from the start (tests, short-lived STS tokens) is usable until half its life is gone.
 */
export function isFreshToken(
  entry: CachedToken | undefined,
  now: number,
  marginMs: number,
): entry is CachedToken {
  if (!entry) return false;
  const left = entry.expiresAt - now;
  return left > 0 && left >= Math.min(marginMs, (entry.expiresAt - entry.issuedAt) / 2);
}
