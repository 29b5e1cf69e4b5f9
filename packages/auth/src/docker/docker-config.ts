import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonObject } from '@ar/config/files';
import type { RegistryCredential } from '../credential.js';
import { ArAuthError } from '../errors.js';
import { normalizeRegistryHost } from '../hosts.js';
import { getFromCredentialHelper } from './credential-helper-client.js';

export interface DockerConfigFile {
  path: string;
  /** The file's text as read; undefined when there is no file yet. */
  text: string | undefined;
  json: DockerConfigJson;
}

export interface DockerConfigJson {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** Docker Hub's credentials live under this legacy key. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function dockerConfigPath(configDir: string): string {
  return join(configDir, 'config.json');
}

/** Reads `config.json`; a missing file is an empty config, a malformed one an error naming the position. */
export async function readDockerConfig(configDir: string): Promise<DockerConfigFile> {
  const path = dockerConfigPath(configDir);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ArAuthError(
        'AR_AUTH_DOCKER_CONFIG_IO',
        `Cannot read Docker's config ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check its permissions.`,
        { cause: error },
      );
    }
  }
  if (text === undefined || text.trim() === '') return { path, text, json: {} };
  const parsed = parseJsonObject(text);
  if ('error' in parsed) {
    throw new ArAuthError(
      'AR_AUTH_DOCKER_CONFIG_MALFORMED',
      `Docker's config ${path} is not valid JSON (${parsed.error}). Fix it by hand or move it away; it was not changed.`,
    );
  }
  const problem = shapeProblem(parsed.value);
  if (problem) {
    throw new ArAuthError(
      'AR_AUTH_DOCKER_CONFIG_MALFORMED',
      `Docker's config ${path} has ${problem}. Fix it by hand or move it away; it was not changed.`,
    );
  }
  return { path, text, json: parsed.value as DockerConfigJson };
}

/**
 * The keys read here must have the shape Docker gives them: a file with `"credHelpers": "x"`
 * could neither be looked up nor edited (jsonc-parser cannot add a key under a string).
 */
function shapeProblem(json: Record<string, unknown>): string | undefined {
  const kind = (value: unknown) =>
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  for (const key of ['auths', 'credHelpers']) {
    if (key in json && !isRecord(json[key])) return `"${key}" as ${kind(json[key])}, where an object goes`;
  }
  for (const [host, helper] of Object.entries((json.credHelpers ?? {}) as Record<string, unknown>)) {
    if (typeof helper !== 'string')
      return `"credHelpers" → "${host}" as ${kind(helper)}, where a helper name goes`;
  }
  if ('credsStore' in json && typeof json.credsStore !== 'string')
    return `"credsStore" as ${kind(json.credsStore)}, where a helper name goes`;
  return undefined;
}

/**
 * Credentials for a non-Google registry, found as Docker finds them: the host's `credHelpers`
 * entry, else `credsStore`, else `auths`. Undefined means anonymous.
 */
export async function lookupDockerCredential(
  host: string,
  configDir: string,
  signal?: AbortSignal,
): Promise<RegistryCredential | undefined> {
  const { json } = await readDockerConfig(configDir);
  const hub = DOCKER_HUB_HOSTS.has(host);
  const serverUrl = hub ? DOCKER_HUB_KEY : host;
  const helper =
    json.credHelpers?.[host] ??
    Object.entries(json.credHelpers ?? {}).find(([key]) => normalizeRegistryHost(key) === host)?.[1];
  if (helper) return getFromCredentialHelper(helper, serverUrl, signal);
  if (json.credsStore) return getFromCredentialHelper(json.credsStore, serverUrl, signal);
  const entry = Object.entries(json.auths ?? {}).find(([key]) =>
    hub
      ? key === DOCKER_HUB_KEY || DOCKER_HUB_HOSTS.has(normalizeRegistryHost(key))
      : normalizeRegistryHost(key) === host,
  )?.[1];
  if (!entry) return undefined;
  if (entry.identitytoken) return { username: '<token>', password: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}
