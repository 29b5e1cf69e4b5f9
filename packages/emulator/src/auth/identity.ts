import { createHash, createPublicKey, generateKeyPair, randomBytes, randomUUID, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { EmulatorError } from '../errors.js';
import type { MetadataStore } from '../store/metadata.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/** The principal of a request with no credentials. */
export const ANONYMOUS = 'allUsers';

/** A Google service-account key file, as `gcloud iam service-accounts keys create` writes it. */
export interface ServiceAccountKeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** An `authorized_user` credentials file, as `gcloud auth application-default login` writes it. */
export interface AuthorizedUserFile {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  account: string;
}

export interface MintedToken {
  accessToken: string;
  expiresInSeconds: number;
  expiresAtMs: number;
  principal: string;
}

/** Audiences Google's token endpoint accepts in a JWT-bearer assertion. */
const GOOGLE_TOKEN_AUDIENCES = new Set([
  'https://oauth2.googleapis.com/token',
  'https://www.googleapis.com/oauth2/v4/token',
  'https://accounts.google.com/o/oauth2/token',
]);

/** Tokens are stored hashed: the data dir then holds nothing a reader could replay. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function serviceAccountPrincipal(email: string): string {
  return `serviceAccount:${email}`;
}

export function userPrincipal(email: string): string {
  return `user:${email}`;
}

/** The email of a principal, for messages and metadata answers. */
export function principalEmail(principal: string): string {
  const colon = principal.indexOf(':');
  return colon < 0 ? principal : principal.slice(colon + 1);
}

/**
 * Who is who: service accounts and their keys, users and their refresh tokens, access tokens.
 * Access tokens are opaque (`ya29.` + random) and looked up, as Google's are to a client.
 */
export class Identity {
  constructor(
    private readonly store: MetadataStore,
    private readonly options: { tokenTtlSeconds: () => number; tokenUri: () => string; now?: () => number },
  ) {}

  tokenTtlSeconds(): number {
    return this.options.tokenTtlSeconds();
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  mintAccessToken(
    principal: string,
    options: { ttlSeconds?: number; scopes?: readonly string[] } = {},
  ): MintedToken {
    const ttl = options.ttlSeconds ?? this.options.tokenTtlSeconds();
    const accessToken = `ya29.emu-${randomBytes(24).toString('base64url')}`;
    const expiresAtMs = this.now() + ttl * 1000;
    this.store.addAccessToken(
      hashToken(accessToken),
      principal,
      expiresAtMs,
      (options.scopes ?? []).join(' '),
    );
    return { accessToken, expiresInSeconds: ttl, expiresAtMs, principal };
  }

  /** The principal of a live access token, or undefined (unknown or expired). */
  resolveAccessToken(token: string): { principal: string; expiresAtMs: number } | undefined {
    const found = this.store.accessToken(hashToken(token));
    if (found === undefined || found.expiresMs <= this.now()) return undefined;
    return { principal: found.principal, expiresAtMs: found.expiresMs };
  }

  createServiceAccount(project: string, accountId: string, displayName = accountId): string {
    if (!/^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/.test(accountId)) {
      throw new EmulatorError(
        'AR_EMULATOR_INVALID_ARGUMENT',
        `"${accountId}" is not a valid service account ID: 6 to 30 lowercase letters, digits or hyphens, starting with a letter.`,
      );
    }
    const projectPart = project.includes(':')
      ? `${project.slice(project.indexOf(':') + 1)}.${project.slice(0, project.indexOf(':'))}`
      : project;
    const email = `${accountId}@${projectPart}.iam.gserviceaccount.com`;
    const uniqueId = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 15)}`).toString();
    this.store.createServiceAccount(email, project, uniqueId, displayName);
    return email;
  }

  /** A new RSA key for a service account, in Google's key-file format, `token_uri` at the emulator. */
  async createServiceAccountKey(email: string): Promise<ServiceAccountKeyFile> {
    const account = this.store.serviceAccount(email);
    if (account === undefined) {
      throw new EmulatorError(
        'AR_EMULATOR_PRINCIPAL_UNKNOWN',
        `Service account ${email} does not exist in the emulator.`,
      );
    }
    const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    const keyId = randomBytes(20).toString('hex');
    this.store.addServiceAccountKey(
      keyId,
      email,
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      this.now(),
    );
    return {
      type: 'service_account',
      project_id: account.project,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: account.uniqueId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.options.tokenUri(),
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    };
  }

  createUser(email: string): string {
    this.store.addUser(email);
    return userPrincipal(email);
  }

  /** Credentials for a user: what `gcloud auth application-default login` would leave behind. */
  createUserCredentials(email: string): AuthorizedUserFile {
    this.store.addUser(email);
    const file: AuthorizedUserFile = {
      type: 'authorized_user',
      client_id: `${randomBytes(6).toString('hex')}.apps.googleusercontent.com`,
      client_secret: `GOCSPX-${randomBytes(18).toString('base64url')}`,
      refresh_token: `1//emu-${randomBytes(32).toString('base64url')}`,
      account: email,
    };
    this.store.addRefreshToken(hashToken(file.refresh_token), email, file.client_id, file.client_secret);
    return file;
  }

  /** Refresh-token grant: the user it belongs to, when the client id and secret match. */
  redeemRefreshToken(
    refreshToken: string,
    clientId: string | undefined,
    clientSecret: string | undefined,
  ): string {
    const found = this.store.refreshToken(hashToken(refreshToken));
    if (found === undefined) {
      throw new EmulatorError('AR_EMULATOR_INVALID_GRANT', 'Token has been expired or revoked.');
    }
    if (clientId !== found.clientId || (clientSecret !== undefined && clientSecret !== found.clientSecret)) {
      throw new EmulatorError(
        'AR_EMULATOR_INVALID_GRANT',
        'The OAuth client was not found or does not own this refresh token.',
        {
          detail: 'invalid_client',
        },
      );
    }
    return userPrincipal(found.email);
  }

  /**
   * A key file presented as a password (`_json_key`): valid when its private key is the one the
   * emulator created for that service account and key id.
   */
  verifyKeyFile(text: string): string {
    let key: Partial<ServiceAccountKeyFile>;
    try {
      key = JSON.parse(text) as Partial<ServiceAccountKeyFile>;
    } catch {
      throw new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        'The password is not a service-account key JSON.',
      );
    }
    if (typeof key.private_key_id !== 'string' || typeof key.private_key !== 'string') {
      throw new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        'The password is not a service-account key JSON.',
      );
    }
    const stored = this.store.serviceAccountKey(key.private_key_id);
    let publicPem: string | undefined;
    try {
      publicPem = createPublicKey(key.private_key).export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      publicPem = undefined;
    }
    if (stored === undefined || stored.email !== key.client_email || publicPem !== stored.publicPem) {
      throw new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        `The service-account key ${key.private_key_id} of ${String(key.client_email)} is unknown to the emulator (or was deleted).`,
      );
    }
    return serviceAccountPrincipal(stored.email);
  }

  /**
   * A JWT signed with a service-account key: the JWT-bearer assertion of the token endpoint, or a
   * self-signed JWT used directly as a bearer token (what google-auth-library sends without scopes).
   */
  verifySignedJwt(jwt: string, purpose: 'assertion' | 'bearer'): { principal: string; scope: string } {
    const invalid = (reason: string) =>
      new EmulatorError(
        purpose === 'assertion' ? 'AR_EMULATOR_INVALID_GRANT' : 'AR_EMULATOR_UNAUTHENTICATED',
        reason,
      );
    const parts = jwt.split('.');
    if (parts.length !== 3) throw invalid('Invalid JWT: not three dot-separated parts.');
    let header: { alg?: string; kid?: string };
    let payload: { iss?: string; sub?: string; aud?: string; exp?: number; iat?: number; scope?: string };
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      throw invalid('Invalid JWT: header or payload is not base64url JSON.');
    }
    if (header.alg !== 'RS256')
      throw invalid(`Invalid JWT signature algorithm ${String(header.alg)}: use RS256.`);
    const email = payload.iss;
    if (typeof email !== 'string' || this.store.serviceAccount(email) === undefined) {
      throw invalid(`Invalid JWT: issuer ${String(email)} is not a service account of the emulator.`);
    }
    const candidates = this.store
      .serviceAccountKeys(email)
      .filter((key) => header.kid === undefined || key.keyId === header.kid);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2]!, 'base64url');
    if (!candidates.some((key) => verify('RSA-SHA256', signed, key.publicPem, signature))) {
      throw invalid('Invalid JWT Signature.');
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number')
      throw invalid('Invalid JWT: exp and iat are required.');
    if (payload.exp <= nowSeconds - 60)
      throw invalid('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
    if (payload.iat > nowSeconds + 300 || payload.exp - payload.iat > 3600) {
      throw invalid(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
    }
    if (purpose === 'assertion') {
      const aud = String(payload.aud);
      if (!GOOGLE_TOKEN_AUDIENCES.has(aud) && !aud.endsWith('/token')) {
        throw invalid(`Invalid JWT audience ${aud}: use https://oauth2.googleapis.com/token.`);
      }
    }
    // Domain-wide delegation (`sub` another user) is not emulated: the token is the account's own.
    return { principal: serviceAccountPrincipal(email), scope: payload.scope ?? '' };
  }

  newOperationId(): string {
    return randomUUID();
  }
}
