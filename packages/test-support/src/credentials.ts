import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { AccessRestriction } from './scope.js';

/** The Basic username of an OAuth2 access token (what `gcloud auth print-access-token` gives). */
export const ACCESS_TOKEN_USERNAME = 'oauth2accesstoken';
/** The Basic username whose password is a service-account key JSON. */
export const JSON_KEY_USERNAME = '_json_key';
/** The Basic username whose password is the base64 of a service-account key JSON. */
export const JSON_KEY_BASE64_USERNAME = '_json_key_base64';

/** The fields of a Google service-account key file that matter here (others are kept as given). */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id?: string;
  [field: string]: unknown;
}

/** Fields every credential spec may carry. */
export interface CredentialSpecBase {
  /** Stable id to refer to it later (revoke, request log). Default: generated. */
  id?: string;
  /** The token's `sub` claim. Default: the key's `client_email`, or the credential id. */
  subject?: string;
  /** What it may be granted. Default: every scope asked is granted. */
  access?: AccessRestriction;
  /** Lifetime of the registry tokens issued to it, in seconds. Default: the server's setting. */
  tokenTtlSeconds?: number;
  /** The credential itself stops working this many seconds after it is allowed. Default: never. */
  validForSeconds?: number;
}

/** An OAuth2 access token, presented as Basic `oauth2accesstoken:<token>`. */
export interface AccessTokenSpec extends CredentialSpecBase {
  kind: 'access_token';
  /** The token value. Default: a random `ya29.e2e-...` string. */
  token?: string;
}

/** A service-account key, presented as Basic `_json_key:<JSON>` or `_json_key_base64:<base64 JSON>`. */
export interface ServiceAccountKeySpec extends CredentialSpecBase {
  kind: 'service_account_key';
  /** The key (object or its JSON text). Default: a freshly generated key. */
  key?: ServiceAccountKey | string;
}

export type CredentialSpec = AccessTokenSpec | ServiceAccountKeySpec;

/** A credential the token server now accepts, with the Basic login(s) to present it. */
export interface AllowedCredential {
  id: string;
  kind: CredentialSpec['kind'];
  subject: string;
  access?: AccessRestriction;
  tokenTtlSeconds?: number;
  /** ISO time after which the credential is refused, if it has one. */
  expiresAt?: string;
  /** Basic username: `oauth2accesstoken` or `_json_key`. */
  username: string;
  /** Basic password: the access token, or the key JSON. */
  password: string;
  /** For keys: the password to use with username `_json_key_base64`. */
  jsonKeyBase64?: string;
  /** For access tokens: the token. */
  token?: string;
  /** For keys: the key. */
  key?: ServiceAccountKey;
}

/** What the admin API lists: no secret in it. */
export interface CredentialSummary {
  id: string;
  kind: CredentialSpec['kind'];
  subject: string;
  access?: AccessRestriction;
  tokenTtlSeconds?: number;
  expiresAt?: string;
}

export class CredentialError extends Error {
  override name = 'CredentialError';
}

const generateRsaKeyPair = promisify(generateKeyPair);

/** A new, syntactically real service-account key (RSA 2048, PKCS#8 PEM) that no Google service knows. */
export async function generateServiceAccountKey(
  options: { projectId?: string; accountName?: string } = {},
): Promise<ServiceAccountKey> {
  const projectId = options.projectId ?? 'ar-e2e-project';
  const accountName = options.accountName ?? `e2e-${randomBytes(4).toString('hex')}`;
  const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const clientEmail = `${accountName}@${projectId}.iam.gserviceaccount.com`;
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    client_id: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
}

/** Parses key JSON text; `undefined` when it is not a service-account key. */
export function parseServiceAccountKey(text: string): ServiceAccountKey | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const key = value as Record<string, unknown>;
  for (const field of ['private_key_id', 'private_key', 'client_email'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') return undefined;
  }
  return key as ServiceAccountKey;
}

/** Username and password of an `Authorization: Basic` header. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Parses an Authorization header: `undefined` when absent, `'malformed'` when present but not
 * a well-formed Basic one. The password is everything after the first `:` (key JSON has colons).
 */
export function parseBasicAuthorization(
  header: string | undefined,
): BasicCredentials | 'malformed' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header.trim());
  if (match === null) return 'malformed';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** How a Basic login presents itself, before it is checked against the known credentials. */
export type Login =
  | { form: 'access_token'; token: string }
  | { form: 'json_key' | 'json_key_base64'; key: ServiceAccountKey | undefined }
  | { form: 'unsupported'; username: string };

export function classifyLogin({ username, password }: BasicCredentials): Login {
  switch (username) {
    case ACCESS_TOKEN_USERNAME:
      return { form: 'access_token', token: password };
    case JSON_KEY_USERNAME:
      return { form: 'json_key', key: parseServiceAccountKey(password) };
    case JSON_KEY_BASE64_USERNAME: {
      const text = /^[A-Za-z0-9+/=_-]+$/.test(password.trim())
        ? Buffer.from(password.trim(), 'base64').toString('utf8')
        : '';
      return { form: 'json_key_base64', key: parseServiceAccountKey(text) };
    }
    default:
      return { form: 'unsupported', username };
  }
}

interface StoredCredential {
  summary: CredentialSummary;
  allowed: AllowedCredential;
  expiresAtMs?: number;
}

export type CheckResult = { ok: true; credential: AllowedCredential } | { ok: false; reason: string };

function keyFingerprint(key: ServiceAccountKey): string {
  return JSON.stringify([key.client_email, key.private_key_id, key.private_key.trim()]);
}

function positiveNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new CredentialError(`${field} must be a positive number of seconds`);
  }
  return value;
}

function checkRestriction(access: unknown): AccessRestriction | undefined {
  if (access === undefined || access === null) return undefined;
  if (typeof access !== 'object') throw new CredentialError('access must be an object');
  const { repositories, actions } = access as Record<string, unknown>;
  const isStringArray = (value: unknown) =>
    value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
  if (!isStringArray(repositories))
    throw new CredentialError('access.repositories must be an array of strings');
  if (!isStringArray(actions)) throw new CredentialError('access.actions must be an array of strings');
  const restriction: AccessRestriction = {};
  if (repositories !== undefined) restriction.repositories = [...(repositories as string[])];
  if (actions !== undefined) restriction.actions = [...(actions as string[])];
  return restriction;
}

/** The credentials a token server knows. Secrets stay in here; only summaries go out. */
export class CredentialStore {
  readonly #byId = new Map<string, StoredCredential>();
  readonly #byToken = new Map<string, string>();
  readonly #byKey = new Map<string, string>();
  #counter = 0;

  constructor(private readonly now: () => number) {}

  async allow(spec: CredentialSpec): Promise<AllowedCredential> {
    if (typeof spec !== 'object' || spec === null)
      throw new CredentialError('A credential spec must be an object');
    const id = spec.id ?? `cred-${++this.#counter}-${randomUUID().slice(0, 8)}`;
    if (typeof id !== 'string' || id === '') throw new CredentialError('id must be a non-empty string');
    if (this.#byId.has(id)) throw new CredentialError(`A credential with id "${id}" is already allowed`);
    const access = checkRestriction(spec.access);
    const tokenTtlSeconds = positiveNumber(spec.tokenTtlSeconds, 'tokenTtlSeconds');
    const validForSeconds = positiveNumber(spec.validForSeconds, 'validForSeconds');
    if (spec.subject !== undefined && typeof spec.subject !== 'string') {
      throw new CredentialError('subject must be a string');
    }
    const expiresAtMs = validForSeconds === undefined ? undefined : this.now() + validForSeconds * 1000;
    const common = {
      id,
      ...(access === undefined ? {} : { access }),
      ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
      ...(expiresAtMs === undefined ? {} : { expiresAt: new Date(expiresAtMs).toISOString() }),
    };
    let allowed: AllowedCredential;
    if (spec.kind === 'access_token') {
      const token = spec.token ?? `ya29.e2e-${randomBytes(24).toString('base64url')}`;
      if (typeof token !== 'string' || token === '')
        throw new CredentialError('token must be a non-empty string');
      if (this.#byToken.has(token)) throw new CredentialError('This access token is already allowed');
      allowed = {
        ...common,
        kind: 'access_token',
        subject: spec.subject ?? id,
        username: ACCESS_TOKEN_USERNAME,
        password: token,
        token,
      };
      this.#byToken.set(token, id);
    } else if (spec.kind === 'service_account_key') {
      const key =
        spec.key === undefined
          ? await generateServiceAccountKey()
          : typeof spec.key === 'string'
            ? parseServiceAccountKey(spec.key)
            : parseServiceAccountKey(JSON.stringify(spec.key));
      if (key === undefined) {
        throw new CredentialError(
          'key must be a service-account key with private_key_id, private_key, client_email',
        );
      }
      const fingerprint = keyFingerprint(key);
      if (this.#byKey.has(fingerprint))
        throw new CredentialError('This service-account key is already allowed');
      const json = JSON.stringify(key);
      allowed = {
        ...common,
        kind: 'service_account_key',
        subject: spec.subject ?? key.client_email,
        username: JSON_KEY_USERNAME,
        password: json,
        jsonKeyBase64: Buffer.from(json, 'utf8').toString('base64'),
        key,
      };
      this.#byKey.set(fingerprint, id);
    } else {
      throw new CredentialError(
        `Unknown credential kind "${String((spec as { kind?: unknown }).kind)}": use access_token or service_account_key`,
      );
    }
    const { username: _u, password: _p, jsonKeyBase64: _b, token: _t, key: _k, ...summary } = allowed;
    this.#byId.set(id, {
      summary,
      allowed,
      ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
    });
    return allowed;
  }

  /** Forgets a credential. False when no such id. */
  revoke(id: string): boolean {
    const stored = this.#byId.get(id);
    if (stored === undefined) return false;
    this.#byId.delete(id);
    if (stored.allowed.token !== undefined) this.#byToken.delete(stored.allowed.token);
    if (stored.allowed.key !== undefined) this.#byKey.delete(keyFingerprint(stored.allowed.key));
    return true;
  }

  list(): CredentialSummary[] {
    return [...this.#byId.values()].map((stored) => structuredClone(stored.summary));
  }

  /** Checks a Basic login against the known credentials. Reasons never contain the secret. */
  check(basic: BasicCredentials): CheckResult {
    const login = classifyLogin(basic);
    let id: string | undefined;
    switch (login.form) {
      case 'access_token':
        id = this.#byToken.get(login.token);
        if (id === undefined) return { ok: false, reason: 'unknown access token' };
        break;
      case 'json_key':
      case 'json_key_base64':
        if (login.key === undefined) {
          return {
            ok: false,
            reason: `the ${login.form === 'json_key' ? '' : 'base64 '}key JSON is not a service-account key`,
          };
        }
        id = this.#byKey.get(keyFingerprint(login.key));
        if (id === undefined)
          return { ok: false, reason: `unknown service-account key ${login.key.client_email}` };
        break;
      default:
        return {
          ok: false,
          reason: `unsupported username "${login.username}": use ${ACCESS_TOKEN_USERNAME}, ${JSON_KEY_USERNAME} or ${JSON_KEY_BASE64_USERNAME}`,
        };
    }
    const stored = this.#byId.get(id)!;
    if (stored.expiresAtMs !== undefined && this.now() >= stored.expiresAtMs) {
      return { ok: false, reason: `credential ${id} has expired` };
    }
    return { ok: true, credential: stored.allowed };
  }
}
