import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readPrivateFile } from '@ar/auth/light';
import { locateConfigFile } from '@ar/config/files';

/**
 * What an earlier cold `get` learnt, so that the next ones can answer from the token cache alone:
 * which token file holds the token for the identity the config resolved to, and which registries
 * the config marks as Google's. It stands for a config resolution (schema, provider chain), so it
 * is keyed by everything resolution reads from the process (the relevant environment, the working
 * directory, the config file's path) and checked against the files it read, by mtime and size.
 * It holds no secret: the token stays in the token cache, shared with `gar`.
 */
export interface WarmRecord {
  /** The key material, in full: the file name is only a hash of it. */
  key: string;
  files: FileStamp[];
  /** Hosts the config marks `google: true` (besides Google's own, which are known by pattern). */
  googleHosts: string[];
  username: string;
  /** `helper.log` of the config. */
  log: string | undefined;
  token: { file: string; source: string; account: string | undefined; marginMs: number };
}

export interface FileStamp {
  path: string;
  /** Absent: the file did not exist. */
  mtimeMs?: number;
  size?: number;
}

export interface WarmRecordKey {
  path: string;
  material: string;
  configFile: string;
}

const RELEVANT_ENV = /^(?:GAR_|CLOUDSDK_|GOOGLE_|GCE_METADATA_|DOCKER_|XDG_)|^(?:HOME|NO_COLOR|PATH)$/;

export function warmRecordKey(env: NodeJS.ProcessEnv, cwd: string): WarmRecordKey {
  const home = env.HOME || homedir();
  const relevant = Object.entries(env)
    .filter(([name, value]) => RELEVANT_ENV.test(name) && value)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const configFile = locateConfigFile(undefined, '', env, home).path;
  const material = JSON.stringify([cwd, relevant, configFile]);
  const cacheHome = env.XDG_CACHE_HOME || join(home, '.cache');
  return { path: join(cacheHome, 'gar', 'helper', `${fileNameOf(material)}.json`), material, configFile };
}

/**
 * Two 32-bit FNV-1a-style hashes of the key material (the second with seed and multiplier
 * swapped). Not a cryptographic hash, on purpose: loading node:crypto would cost the warm path
 * more than the rest of its work, and a collision only sends a call down the cold path, as the
 * record holds the key material in full.
 */
function fileNameOf(material: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < material.length; i++) {
    const code = material.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x811c9dc5);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function stampOf(path: string): FileStamp {
  const info = statSync(path, { throwIfNoEntry: false });
  return info ? { path, mtimeMs: info.mtimeMs, size: info.size } : { path };
}

/**
 * The record for `key`, when there is one and none of the files it was made from has changed. Only
 * a private file of ours is trusted: the record decides which hosts get a token.
 */
export function readWarmRecord(key: WarmRecordKey): WarmRecord | undefined {
  let record: WarmRecord;
  try {
    record = JSON.parse(readPrivateFile(key.path) ?? 'null') as WarmRecord;
  } catch {
    return undefined;
  }
  const wellFormed =
    record?.key === key.material &&
    Array.isArray(record.files) &&
    Array.isArray(record.googleHosts) &&
    typeof record.token?.file === 'string';
  if (!wellFormed) return undefined;
  const unchanged = record.files.every((then) => {
    const now = stampOf(then.path);
    return now.mtimeMs === then.mtimeMs && now.size === then.size;
  });
  return unchanged ? record : undefined;
}
