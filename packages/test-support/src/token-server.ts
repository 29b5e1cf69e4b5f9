import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import {
  type AllowedCredential,
  type BasicCredentials,
  CredentialError,
  type CredentialSpec,
  CredentialStore,
  type CredentialSummary,
  classifyLogin,
  parseBasicAuthorization,
} from './credentials.js';
import {
  type AccessRestriction,
  formatScope,
  grantScopes,
  parseScopes,
  type ResourceScope,
  ScopeError,
} from './scope.js';
import {
  createSigningCertificate,
  type LoadedSigning,
  loadSigning,
  type SigningMaterial,
} from './signing.js';

/** Settings that can change while the server runs (admin `PUT /settings`, `configure()`). */
export interface TokenServerSettings {
  /** Lifetime of issued tokens, in seconds, unless the credential has its own. */
  tokenTtlSeconds: number;
  /**
   * What a request without Authorization may get; `null` refuses it with 401. When set and its
   * `actions` are omitted, anonymous requests get `pull` only.
   */
  anonymous: AccessRestriction | null;
}

export interface TokenServerOptions {
  /** Address to listen on. Default `127.0.0.1` (keep it on loopback). */
  host?: string;
  /** Port of the token endpoint. Default 0 (a free one). */
  port?: number;
  /** Port of the admin API; `false` for none. Default 0 (a free one). */
  adminPort?: number | false;
  /** The registry's `auth.token.service`; the token's `aud`. Default `ar-e2e-registry`. */
  service?: string;
  /** The registry's `auth.token.issuer`; the token's `iss`. Default `ar-e2e-token-server`. */
  issuer?: string;
  /** Default 300. */
  tokenTtlSeconds?: number;
  /** Default `null`: anonymous requests are refused. */
  anonymous?: AccessRestriction | null;
  /** Credentials known from the start. */
  credentials?: CredentialSpec[];
  /** Key and certificate to sign with. Default: a fresh self-signed pair. */
  signing?: SigningMaterial;
  /** Receives one line per request; never given a secret. Default: no logging. */
  log?: (line: string) => void;
  /** Milliseconds since the epoch. Default `Date.now` (tests may move time). */
  now?: () => number;
}

/** One token request as the server saw it, for tests to assert on. No secret in it. */
export interface TokenRequestRecord {
  at: string;
  method: string;
  status: number;
  service?: string;
  account?: string;
  /** How the client presented itself. */
  login: 'anonymous' | 'access_token' | 'json_key' | 'json_key_base64' | 'unsupported' | 'malformed';
  credentialId?: string;
  subject?: string;
  requested: ResourceScope[];
  granted: ResourceScope[];
  /** Why it was refused. */
  reason?: string;
  jti?: string;
  expiresIn?: number;
}

/** What both the in-process server and the admin HTTP client (`tokenAdminClient`) offer. */
export interface TokenServerControl {
  /** Makes the server accept a credential; returns it with the Basic login to present. */
  allow(spec: CredentialSpec): Promise<AllowedCredential>;
  /** Forgets a credential; false when no such id. */
  revoke(id: string): Promise<boolean>;
  credentials(): Promise<CredentialSummary[]>;
  settings(): Promise<TokenServerSettings>;
  configure(changes: Partial<TokenServerSettings>): Promise<TokenServerSettings>;
  /** Token requests seen so far, oldest first (the last 1000). */
  requests(): Promise<TokenRequestRecord[]>;
  clearRequests(): Promise<void>;
}

export interface TokenServer extends TokenServerControl {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `${url}/token`: the registry's `auth.token.realm`. */
  realm: string;
  /** `http://127.0.0.1:PORT` of the admin API, if any. */
  adminUrl: string | undefined;
  service: string;
  issuer: string;
  /** PEM of the signing certificate: the registry's `rootcertbundle`. */
  certificatePem: string;
  /** PEM of the signing key (a throwaway test key), for tests that mint tokens themselves. */
  privateKeyPem: string;
  stop(): Promise<void>;
}

export interface RegistryTokenClaims {
  issuer: string;
  subject: string;
  audience: string;
  access: ResourceScope[];
  ttlSeconds: number;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface SignedRegistryToken {
  token: string;
  jti: string;
  issuedAt: Date;
  expiresIn: number;
}

/**
 * Signs a registry token: RS256 JWS whose header carries the certificate (`x5c`) and the
 * libtrust key id (`kid`); claims iss, sub, aud (a string, as distribution 2.8 wants), exp, nbf,
 * iat, jti and access. With `{ x5c: false }` the header names the key by `kid` only (the
 * registry then looks it up among the keys of its `rootcertbundle`).
 */
export async function signRegistryToken(
  signing: LoadedSigning,
  claims: RegistryTokenClaims,
  options: { x5c?: boolean } = {},
): Promise<SignedRegistryToken> {
  const iat = Math.floor(claims.now / 1000);
  const jti = randomUUID();
  const token = await new SignJWT({
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.audience,
    exp: iat + claims.ttlSeconds,
    nbf: iat,
    iat,
    jti,
    access: claims.access,
  })
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      kid: signing.kid,
      ...(options.x5c === false ? {} : { x5c: [signing.x5c] }),
    })
    .sign(signing.privateKey);
  return { token, jti, issuedAt: new Date(iat * 1000), expiresIn: claims.ttlSeconds };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 1 << 20;
const MAX_RECORDS = 1000;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'TOO_LARGE', 'Request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readBody(request);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The request body is not JSON');
  }
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, code: string, message: string) {
  const headers: Record<string, string> =
    status === 401 ? { 'WWW-Authenticate': 'Basic realm="ar-e2e token server", charset="UTF-8"' } : {};
  sendJson(response, status, { errors: [{ code, message }] }, headers);
}

function positiveSeconds(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HttpError(400, 'INVALID_SETTINGS', `${field} must be a positive number of seconds`);
  }
  return value;
}

async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${hostPart}:${address.port}`;
}

async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts a Docker distribution token server (the `auth: token` realm of a registry) on loopback.
 * It implements `GET /token` with HTTP Basic (and the OAuth2 `POST /token` password grant), and
 * an admin API on its own port. See the package README for the API.
 */
export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const host = options.host ?? '127.0.0.1';
  const service = options.service ?? 'ar-e2e-registry';
  const issuer = options.issuer ?? 'ar-e2e-token-server';
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const material = options.signing ?? (await createSigningCertificate());
  const signing = loadSigning(material);
  const settings: TokenServerSettings = {
    tokenTtlSeconds:
      options.tokenTtlSeconds === undefined
        ? 300
        : positiveSeconds(options.tokenTtlSeconds, 'tokenTtlSeconds'),
    anonymous: options.anonymous ?? null,
  };
  const store = new CredentialStore(now);
  for (const spec of options.credentials ?? []) await store.allow(spec);
  const records: TokenRequestRecord[] = [];

  const record = (entry: TokenRequestRecord) => {
    records.push(entry);
    if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
    const scopes = (list: ResourceScope[]) => (list.length === 0 ? '-' : list.map(formatScope).join(' '));
    log(
      `${entry.method} /token ${entry.status} login=${entry.login}` +
        (entry.credentialId === undefined ? '' : ` credential=${entry.credentialId}`) +
        ` requested=${scopes(entry.requested)} granted=${scopes(entry.granted)}` +
        (entry.reason === undefined ? '' : ` reason="${entry.reason}"`),
    );
  };

  async function handleToken(request: IncomingMessage, response: ServerResponse, url: URL) {
    const method = request.method ?? 'GET';
    let params: URLSearchParams;
    let basic: BasicCredentials | 'malformed' | undefined;
    let scopeValues: string[];
    let oauth = false;
    if (method === 'GET') {
      params = url.searchParams;
      basic = parseBasicAuthorization(request.headers.authorization);
      scopeValues = params.getAll('scope');
    } else if (method === 'POST') {
      oauth = true;
      params = new URLSearchParams(await readBody(request));
      const grantType = params.get('grant_type');
      if (grantType !== 'password') {
        throw new HttpError(
          400,
          'UNSUPPORTED_GRANT_TYPE',
          `grant_type ${grantType ?? '(none)'} is not supported: use password (or GET with Basic auth)`,
        );
      }
      basic = { username: params.get('username') ?? '', password: params.get('password') ?? '' };
      scopeValues = params.getAll('scope');
    } else {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} /token is not supported`);
    }
    const login: TokenRequestRecord['login'] =
      basic === undefined ? 'anonymous' : basic === 'malformed' ? 'malformed' : classifyLogin(basic).form;
    const requestedService = params.get('service') ?? undefined;
    const account = params.get('account') ?? undefined;
    const base = {
      at: new Date(now()).toISOString(),
      method,
      ...(requestedService === undefined ? {} : { service: requestedService }),
      ...(account === undefined ? {} : { account }),
    };
    let requested: ResourceScope[];
    try {
      requested = parseScopes(scopeValues);
    } catch (error) {
      if (!(error instanceof ScopeError)) throw error;
      record({ ...base, status: 400, login, requested: [], granted: [], reason: error.message });
      throw new HttpError(400, 'INVALID_SCOPE', error.message);
    }
    const refuse = (status: number, code: string, reason: string) => {
      record({ ...base, status, login, requested, granted: [], reason });
      sendError(response, status, code, reason);
    };
    if (requestedService !== undefined && requestedService !== service) {
      refuse(400, 'INVALID_SERVICE', `unknown service "${requestedService}": this server is "${service}"`);
      return;
    }
    let subject: string;
    let restriction: AccessRestriction | undefined;
    let ttlSeconds = settings.tokenTtlSeconds;
    let credentialId: string | undefined;
    if (basic === undefined) {
      if (settings.anonymous === null) {
        refuse(401, 'UNAUTHORIZED', 'authentication required: anonymous access is not allowed');
        return;
      }
      subject = '';
      restriction = { actions: ['pull'], ...settings.anonymous };
    } else if (basic === 'malformed') {
      refuse(401, 'UNAUTHORIZED', 'authentication required: the Authorization header is not valid Basic');
      return;
    } else {
      const checked = store.check(basic);
      if (!checked.ok) {
        refuse(401, 'UNAUTHORIZED', `authentication failed: ${checked.reason}`);
        return;
      }
      const credential = checked.credential;
      credentialId = credential.id;
      subject = credential.subject;
      restriction = credential.access;
      ttlSeconds = credential.tokenTtlSeconds ?? ttlSeconds;
    }
    const granted = grantScopes(requested, restriction);
    const signed = await signRegistryToken(signing, {
      issuer,
      subject,
      audience: service,
      access: granted,
      ttlSeconds,
      now: now(),
    });
    record({
      ...base,
      status: 200,
      login,
      ...(credentialId === undefined ? {} : { credentialId }),
      subject,
      requested,
      granted,
      jti: signed.jti,
      expiresIn: signed.expiresIn,
    });
    const body: Record<string, unknown> = {
      token: signed.token,
      access_token: signed.token,
      expires_in: signed.expiresIn,
      issued_at: signed.issuedAt.toISOString(),
    };
    if (oauth) body.scope = granted.map(formatScope).join(' ');
    sendJson(response, 200, body);
  }

  const tokenServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://token-server');
    const run = async () => {
      if (url.pathname === '/token') return handleToken(request, response, url);
      if (url.pathname === '/healthz' && request.method === 'GET')
        return sendJson(response, 200, { ok: true });
      throw new HttpError(404, 'NOT_FOUND', `No route ${request.method} ${url.pathname}`);
    };
    run().catch((error: unknown) => respondWithError(response, error));
  });

  function respondWithError(response: ServerResponse, error: unknown) {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof HttpError) return sendError(response, error.status, error.code, error.message);
    if (error instanceof CredentialError)
      return sendError(response, 400, 'INVALID_CREDENTIAL', error.message);
    log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    sendError(response, 500, 'INTERNAL', 'internal error (see the token server log)');
  }

  const control: TokenServerControl = {
    async allow(spec) {
      const allowed = await store.allow(spec);
      log(`allowed ${allowed.kind} credential ${allowed.id} (subject ${allowed.subject})`);
      return structuredClone(allowed);
    },
    async revoke(id) {
      const removed = store.revoke(id);
      if (removed) log(`revoked credential ${id}`);
      return removed;
    },
    async credentials() {
      return store.list();
    },
    async settings() {
      return structuredClone(settings);
    },
    async configure(changes) {
      if (changes.tokenTtlSeconds !== undefined) {
        settings.tokenTtlSeconds = positiveSeconds(changes.tokenTtlSeconds, 'tokenTtlSeconds');
      }
      if (changes.anonymous !== undefined) {
        if (changes.anonymous !== null && typeof changes.anonymous !== 'object') {
          throw new HttpError(400, 'INVALID_SETTINGS', 'anonymous must be null or an access restriction');
        }
        settings.anonymous = changes.anonymous === null ? null : structuredClone(changes.anonymous);
      }
      log(
        `settings: tokenTtlSeconds=${settings.tokenTtlSeconds} anonymous=${JSON.stringify(settings.anonymous)}`,
      );
      return structuredClone(settings);
    },
    async requests() {
      return structuredClone(records);
    },
    async clearRequests() {
      records.length = 0;
    },
  };

  async function handleAdmin(request: IncomingMessage, response: ServerResponse, url: URL) {
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const credentialMatch = /^\/credentials\/([^/]+)$/.exec(path);
    if (credentialMatch !== null && method === 'DELETE') {
      const id = decodeURIComponent(credentialMatch[1]!);
      if (!(await control.revoke(id))) throw new HttpError(404, 'NOT_FOUND', `No credential "${id}"`);
      response.writeHead(204).end();
      return;
    }
    switch (`${method} ${path}`) {
      case 'GET /healthz':
        return sendJson(response, 200, { ok: true });
      case 'POST /credentials':
        return sendJson(response, 201, await control.allow((await readJson(request)) as CredentialSpec));
      case 'GET /credentials':
        return sendJson(response, 200, await control.credentials());
      case 'GET /settings':
        return sendJson(response, 200, await control.settings());
      case 'PUT /settings':
      case 'PATCH /settings': {
        const body = await readJson(request);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new HttpError(400, 'INVALID_SETTINGS', 'Settings must be a JSON object');
        }
        return sendJson(response, 200, await control.configure(body as Partial<TokenServerSettings>));
      }
      case 'GET /requests':
        return sendJson(response, 200, await control.requests());
      case 'DELETE /requests':
        await control.clearRequests();
        response.writeHead(204).end();
        return;
      case 'GET /certificate':
        response.writeHead(200, { 'Content-Type': 'application/x-pem-file' }).end(signing.certificatePem);
        return;
      default:
        throw new HttpError(404, 'NOT_FOUND', `No admin route ${method} ${url.pathname}`);
    }
  }

  const adminPort = options.adminPort ?? 0;
  const adminServer =
    adminPort === false
      ? undefined
      : createServer((request, response) => {
          const url = new URL(request.url ?? '/', 'http://token-admin');
          handleAdmin(request, response, url).catch((error: unknown) => respondWithError(response, error));
        });

  const url = await listen(tokenServer, host, options.port ?? 0);
  let adminUrl: string | undefined;
  if (adminServer !== undefined) {
    try {
      adminUrl = await listen(adminServer, host, adminPort === false ? 0 : adminPort);
    } catch (error) {
      await close(tokenServer);
      throw error;
    }
  }

  return {
    ...control,
    url,
    realm: `${url}/token`,
    adminUrl,
    service,
    issuer,
    certificatePem: material.certificatePem,
    privateKeyPem: material.privateKeyPem,
    async stop() {
      await Promise.all([close(tokenServer), adminServer === undefined ? undefined : close(adminServer)]);
    },
  };
}
