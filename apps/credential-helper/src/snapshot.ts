import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ArResolvedConfig } from '@ar/config';
import { locateConfigFile } from '@ar/config/files';

/**
 * The resolved config of an earlier `get`, keyed by everything resolution reads (the relevant
 * environment, the working directory, the config file's path) and checked against the files it
 * read (config file, credentials files) by mtime and size. A warm `get` reads it instead of
 * resolving the config again, which would load and run the schema (zod) on every call.
 */
interface Snapshot {
  config: ArResolvedConfig;
  files: FileStamp[];
}

interface FileStamp {
  path: string;
  /** Absent: the file did not exist. */
  mtimeMs?: number;
  size?: number;
}

const RELEVANT_ENV = /^(?:GAR_|CLOUDSDK_|GOOGLE_|GCE_METADATA_|DOCKER_|XDG_)|^(?:HOME|NO_COLOR)$/;

export interface SnapshotKey {
  path: string;
  configFile: string;
}

export function snapshotKey(env: NodeJS.ProcessEnv, cwd: string): SnapshotKey {
  const home = env.HOME || homedir();
  const relevant = Object.entries(env)
    .filter(([name, value]) => RELEVANT_ENV.test(name) && value)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const configFile = locateConfigFile(undefined, '', env, home).path;
  const digest = createHash('sha256')
    .update(JSON.stringify([cwd, relevant, configFile]))
    .digest('hex')
    .slice(0, 32);
  const cacheHome = env.XDG_CACHE_HOME || join(home, '.cache');
  return { path: join(cacheHome, 'gar', 'helper', `${digest}.json`), configFile };
}

async function stampOf(path: string): Promise<FileStamp> {
  try {
    const info = await stat(path);
    return { path, mtimeMs: info.mtimeMs, size: info.size };
  } catch {
    return { path };
  }
}

/** The files whose change must invalidate a snapshot of `config`. */
function filesRead(config: ArResolvedConfig, configFile: string): string[] {
  return [
    configFile,
    config.auth.credentialsFile,
    join(config.auth.gcloudConfigDir, 'application_default_credentials.json'),
    join(config.auth.gcloudConfigDir, 'active_config'),
  ].filter((path): path is string => Boolean(path));
}

export async function readSnapshot(key: SnapshotKey): Promise<ArResolvedConfig | undefined> {
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(await readFile(key.path, 'utf8')) as Snapshot;
  } catch {
    return undefined;
  }
  if (!snapshot?.config?.auth || !Array.isArray(snapshot.files)) return undefined;
  const current = await Promise.all(snapshot.files.map((file) => stampOf(file.path)));
  const unchanged = current.every(
    (now, i) => now.mtimeMs === snapshot.files[i]?.mtimeMs && now.size === snapshot.files[i]?.size,
  );
  return unchanged ? snapshot.config : undefined;
}

/**
 * Saves the config for the next `get`. Not when it holds a static token: that secret stays in the
 * environment or file it came from.
 */
export async function writeSnapshot(key: SnapshotKey, config: ArResolvedConfig): Promise<void> {
  if (config.auth.accessToken) return;
  const files = await Promise.all(filesRead(config, key.configFile).map(stampOf));
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await mkdir(join(key.path, '..'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(key.path, JSON.stringify({ config, files } satisfies Snapshot), { mode: 0o600 });
}
