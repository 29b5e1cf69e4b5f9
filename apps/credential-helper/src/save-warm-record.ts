import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type CachedTokenFile, writePrivateFile } from '@ar/auth';
import type { ArResolvedConfig } from '@ar/config';
import type { HelperContext } from './context.js';
import { stampOf, type WarmRecord, warmRecordKey } from './warm-record.js';

/**
 * Leaves a warm record after a cold `get` (never for a static token or a key sent as a password:
 * those have no token file). It is private (0600 under 0700), written atomically, and holds no
 * secret.
 */
export async function saveWarmRecord(
  context: HelperContext,
  config: ArResolvedConfig,
  token: CachedTokenFile,
): Promise<void> {
  const key = warmRecordKey(context.env, context.cwd);
  const record: WarmRecord = {
    key: key.material,
    files: filesRead(config, key.configFile, token).map(stampOf),
    googleHosts: Object.keys(config.registries).filter((host) => config.registries[host]?.google),
    username: config.auth.registryUsername,
    log: config.helper.log,
    token: { file: token.file, source: token.source, account: token.account, marginMs: token.marginMs },
  };
  await mkdir(dirname(key.path), { recursive: true, mode: 0o700 });
  // Replaces a link planted at the record's path, never writes through it (as the token cache).
  await writePrivateFile(key.path, JSON.stringify(record));
}

/**
 * The files whose change must send the next call down the cold path: the config file, the ones
 * the detected source read, and those whose appearance would make an earlier source in the chain
 * answer instead (a key file, gcloud's ADC file, gcloud's active configuration).
 */
function filesRead(config: ArResolvedConfig, configFile: string, token: CachedTokenFile): string[] {
  const files = [
    configFile,
    config.auth.credentialsFile,
    join(config.auth.gcloudConfigDir, 'application_default_credentials.json'),
    join(config.auth.gcloudConfigDir, 'active_config'),
    ...token.dependsOn,
  ];
  return [...new Set(files.filter((path): path is string => Boolean(path)))];
}
