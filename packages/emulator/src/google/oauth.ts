import type { Identity } from '../auth/identity.js';
import { principalEmail } from '../auth/identity.js';
import { EmulatorError } from '../errors.js';
import {
  type Exchange,
  header,
  parseFormOrJson,
  readBody,
  readTokenRequest,
  sendJson,
  sendOAuthError,
} from '../http/exchange.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Stand-in for Google's OAuth 2.0 token endpoint (`https://oauth2.googleapis.com/token`) and
 * `tokeninfo`, answering as google-auth-library expects: `{access_token, expires_in, token_type}`
 * on success, `{error, error_description}` with status 400/401 on failure.
 */
export class OAuthApi {
  constructor(private readonly identity: Identity) {}

  async handle(exchange: Exchange): Promise<void> {
    try {
      if (exchange.url.pathname.endsWith('/tokeninfo')) return await this.#tokenInfo(exchange);
      if (exchange.req.method !== 'POST') {
        return sendJson(exchange, 405, { error: 'invalid_request', error_description: 'Use POST.' });
      }
      await this.#token(exchange);
    } catch (error) {
      sendOAuthError(exchange, error, (failure) =>
        failure.code === 'AR_EMULATOR_INVALID_GRANT'
          ? failure.detail === 'invalid_client'
            ? 'invalid_client'
            : 'invalid_grant'
          : failure.code === 'AR_EMULATOR_INVALID_ARGUMENT'
            ? 'invalid_request'
            : failure.code === 'AR_EMULATOR_FAILED_PRECONDITION'
              ? 'unsupported_grant_type'
              : undefined,
      );
    }
  }

  async #token(exchange: Exchange): Promise<void> {
    const form = await readTokenRequest(exchange);
    switch (form.grant_type) {
      case JWT_BEARER: {
        if (form.assertion === undefined)
          throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', 'Missing assertion.');
        const { principal, scope } = this.identity.verifySignedJwt(form.assertion, 'assertion');
        exchange.log.principal = principal;
        const minted = this.identity.mintAccessToken(principal, { scopes: scope.split(' ').filter(Boolean) });
        return sendJson(exchange, 200, {
          access_token: minted.accessToken,
          expires_in: minted.expiresInSeconds,
          token_type: 'Bearer',
        });
      }
      case 'refresh_token': {
        if (form.refresh_token === undefined) {
          throw new EmulatorError(
            'AR_EMULATOR_INVALID_ARGUMENT',
            'Missing required parameter: refresh_token',
          );
        }
        let clientId = form.client_id;
        let clientSecret = form.client_secret;
        const basic = /^basic\s+(.+)$/i.exec(header(exchange, 'authorization') ?? '');
        if (basic !== null) {
          const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
          clientId = decodeURIComponent(decoded.slice(0, decoded.indexOf(':')));
          clientSecret = decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1));
        }
        const principal = this.identity.redeemRefreshToken(form.refresh_token, clientId, clientSecret);
        exchange.log.principal = principal;
        const scopes = [
          'openid',
          'https://www.googleapis.com/auth/userinfo.email',
          'https://www.googleapis.com/auth/cloud-platform',
        ];
        const minted = this.identity.mintAccessToken(principal, { scopes });
        return sendJson(exchange, 200, {
          access_token: minted.accessToken,
          expires_in: minted.expiresInSeconds,
          scope: scopes.join(' '),
          token_type: 'Bearer',
        });
      }
      case undefined:
        throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', 'Missing required parameter: grant_type');
      default:
        throw new EmulatorError(
          'AR_EMULATOR_FAILED_PRECONDITION',
          `Unsupported grant type: ${form.grant_type}`,
        );
    }
  }

  async #tokenInfo(exchange: Exchange): Promise<void> {
    let token = exchange.url.searchParams.get('access_token') ?? undefined;
    if (token === undefined && exchange.req.method === 'POST') {
      const body = (await readBody(exchange.req, 64 * 1024)) ?? Buffer.alloc(0);
      token = parseFormOrJson(body, header(exchange, 'content-type')).access_token;
    }
    const found = token === undefined ? undefined : this.identity.resolveAccessToken(token);
    if (found === undefined) {
      return sendJson(exchange, 400, { error: 'invalid_token', error_description: 'Invalid Value' });
    }
    exchange.log.principal = found.principal;
    const expiresIn = Math.max(0, Math.floor((found.expiresAtMs - this.identity.now()) / 1000));
    sendJson(exchange, 200, {
      azp: 'emulator',
      aud: 'emulator',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      exp: String(Math.floor(found.expiresAtMs / 1000)),
      expires_in: String(expiresIn),
      email: principalEmail(found.principal),
      email_verified: 'true',
      access_type: 'online',
    });
  }
}
