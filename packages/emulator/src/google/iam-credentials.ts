import type { Access } from '../auth/access.js';
import { grants, PERMISSIONS } from '../auth/iam.js';
import { ANONYMOUS, type Identity, serviceAccountPrincipal } from '../auth/identity.js';
import { asEmulatorError, EmulatorError } from '../errors.js';
import { type Exchange, header, readBody, sendGoogleError, sendJson } from '../http/exchange.js';
import type { MetadataStore } from '../store/metadata.js';

/** Google caps impersonated tokens at one hour unless an org policy allows twelve. */
const MAX_LIFETIME_SECONDS = 3600;

/**
 * Stand-in for the IAM Service Account Credentials API
 * (`POST https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`).
 */
export class IamCredentialsApi {
  constructor(
    private readonly access: Access,
    private readonly identity: Identity,
    private readonly store: MetadataStore,
  ) {}

  static matches(pathname: string): boolean {
    return /^\/v1\/projects\/[^/]+\/serviceAccounts\/[^/]+:generateAccessToken$/.test(pathname);
  }

  async handle(exchange: Exchange): Promise<void> {
    try {
      await this.#generateAccessToken(exchange);
    } catch (error) {
      sendGoogleError(exchange, asEmulatorError(error));
    }
  }

  async #generateAccessToken(exchange: Exchange): Promise<void> {
    if (exchange.req.method !== 'POST') throw new EmulatorError('AR_EMULATOR_NOT_FOUND', 'Use POST.');
    const principal = this.access.principalOf(header(exchange, 'authorization'));
    exchange.log.principal = principal;
    if (principal === ANONYMOUS) {
      throw new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token.',
      );
    }
    const match = /^\/v1\/projects\/[^/]+\/serviceAccounts\/([^/]+):generateAccessToken$/.exec(
      exchange.url.pathname,
    );
    const target = decodeURIComponent(match?.[1] ?? '');
    const body = await readBody(exchange.req, 64 * 1024);
    let request: { scope?: unknown; lifetime?: unknown; delegates?: unknown };
    try {
      request = JSON.parse(body?.toString('utf8') || '{}') as typeof request;
    } catch {
      throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    if (!Array.isArray(request.scope) || request.scope.length === 0) {
      throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', 'Scope required.');
    }
    let lifetime = 3600;
    if (request.lifetime !== undefined) {
      const parsed = /^(\d+(?:\.\d+)?)s$/.exec(String(request.lifetime));
      if (parsed === null)
        throw new EmulatorError(
          'AR_EMULATOR_INVALID_ARGUMENT',
          `Invalid lifetime ${String(request.lifetime)}.`,
        );
      lifetime = Math.floor(Number(parsed[1]));
      if (lifetime < 1 || lifetime > MAX_LIFETIME_SECONDS) {
        throw new EmulatorError(
          'AR_EMULATOR_INVALID_ARGUMENT',
          `The lifetime must be between 1s and ${MAX_LIFETIME_SECONDS}s (the emulator has no org policy to extend it).`,
        );
      }
    }
    // Each hop of a delegation chain must be allowed to mint for the next one.
    const delegates = Array.isArray(request.delegates) ? request.delegates.map(String) : [];
    const chain = [...delegates.map((d) => d.replace(/^projects\/[^/]+\/serviceAccounts\//, '')), target];
    let caller = principal;
    for (const email of chain) {
      this.#requireTokenCreator(caller, email);
      caller = serviceAccountPrincipal(email);
    }
    const minted = this.identity.mintAccessToken(serviceAccountPrincipal(target), {
      ttlSeconds: Math.min(lifetime, this.identity.tokenTtlSeconds()),
      scopes: request.scope.map(String),
    });
    sendJson(exchange, 200, {
      accessToken: minted.accessToken,
      expireTime: new Date(minted.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  #requireTokenCreator(principal: string, email: string): void {
    const account = this.store.serviceAccount(email);
    const allowed =
      account !== undefined &&
      (grants(this.store.serviceAccountBindings(email), principal, PERMISSIONS.getAccessToken) ||
        grants(this.store.projectBindings(account.project), principal, PERMISSIONS.getAccessToken));
    if (!allowed) {
      throw new EmulatorError(
        'AR_EMULATOR_DENIED',
        `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist): ${principal} needs roles/iam.serviceAccountTokenCreator on ${email}.`,
      );
    }
  }
}
