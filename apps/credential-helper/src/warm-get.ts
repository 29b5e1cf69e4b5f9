import { isFreshToken, isGoogleRegistry, normalizeRegistryHost, readTokenFile } from '@ar/auth/light';
import type { HelperContext } from './context.js';
import { type HelperAnswer, HelperFailure, NOT_FOUND } from './protocol.js';
import { readWarmRecord, warmRecordKey } from './warm-record.js';

/**
 * `get` from the warm record and the token cache: two small files read, nothing loaded, no network.
 * Undefined when that is not enough (no record, a changed file, no fresh token): the cold path
 * answers then.
 */
export function warmGet(serverUrl: string, context: HelperContext): HelperAnswer | undefined {
  if (!serverUrl) return undefined;
  const record = readWarmRecord(warmRecordKey(context.env, context.cwd));
  if (!record) return undefined;
  const host = normalizeRegistryHost(serverUrl);
  Object.assign(context, { logFile: record.log });
  Object.assign(context.report, { host, path: 'warm' });
  const registries = Object.fromEntries(record.googleHosts.map((name) => [name, { google: true }]));
  if (!isGoogleRegistry(host, { registries })) throw new HelperFailure(NOT_FOUND);
  const { file, source, account, marginMs } = record.token;
  const entry = readTokenFile(file);
  if (!isFreshToken(entry, Date.now(), marginMs)) return undefined;
  context.secrets.push(entry.token);
  Object.assign(context.report, { source, account, expiresAt: entry.expiresAt });
  return { ServerURL: serverUrl, Username: record.username, Secret: entry.token };
}
