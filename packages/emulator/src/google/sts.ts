import type { Identity } from '../auth/identity.js';
import type { WorkloadIdentity } from '../auth/workload-identity.js';
import { EmulatorError, type EmulatorErrorCode } from '../errors.js';
import { type Exchange, readTokenRequest, sendJson, sendOAuthError } from '../http/exchange.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
/** The OAuth error Google's STS answers for each failure. */
const STS_ERRORS: Partial<Record<EmulatorErrorCode, string>> = {
  AR_EMULATOR_INVALID_GRANT: 'invalid_grant',
  AR_EMULATOR_NOT_FOUND: 'invalid_target',
  AR_EMULATOR_INVALID_ARGUMENT: 'invalid_request',
};
const OIDC_TOKEN_TYPES = new Set([
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:id_token',
]);

/**
 * Stand-in for Google's Security Token Service (`POST https://sts.googleapis.com/v1/token`): the
 * token exchange of workload identity federation (RFC 8693), for OIDC subject tokens. Answers
 * `{access_token, issued_token_type, token_type, expires_in}`, or `{error, error_description}` with
 * the OAuth error Google's STS uses (`invalid_request`, `invalid_grant`, `invalid_target`).
 */
export class StsApi {
  constructor(
    private readonly identity: Identity,
    private readonly federation: WorkloadIdentity,
  ) {}

  async handle(exchange: Exchange): Promise<void> {
    try {
      if (exchange.req.method !== 'POST') {
        throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', 'Use POST.');
      }
      await this.#token(exchange);
    } catch (error) {
      sendOAuthError(exchange, error, (failure) => STS_ERRORS[failure.code]);
    }
  }

  async #token(exchange: Exchange): Promise<void> {
    const form = await readTokenRequest(exchange);
    const missing = ['grant_type', 'audience', 'subject_token', 'subject_token_type'].filter(
      (name) => !form[name],
    );
    if (missing.length > 0) {
      throw new EmulatorError(
        'AR_EMULATOR_INVALID_ARGUMENT',
        `Missing required parameter(s): ${missing.join(', ')}.`,
      );
    }
    if (form.grant_type !== TOKEN_EXCHANGE) {
      throw new EmulatorError(
        'AR_EMULATOR_INVALID_ARGUMENT',
        `Invalid value for "grant_type": ${form.grant_type}.`,
      );
    }
    if (form.requested_token_type !== undefined && form.requested_token_type !== ACCESS_TOKEN) {
      throw new EmulatorError(
        'AR_EMULATOR_INVALID_ARGUMENT',
        `Invalid value for "requested_token_type": ${form.requested_token_type}.`,
      );
    }
    if (!OIDC_TOKEN_TYPES.has(form.subject_token_type!)) {
      throw new EmulatorError(
        'AR_EMULATOR_INVALID_ARGUMENT',
        `The emulator exchanges OIDC tokens only; "subject_token_type" ${form.subject_token_type} is not one.`,
      );
    }
    const principal = this.federation.exchange(form.audience!, form.subject_token!, this.identity.now());
    exchange.log.principal = principal;
    const minted = this.identity.mintAccessToken(principal, {
      scopes: (form.scope ?? '').split(' ').filter(Boolean),
    });
    sendJson(exchange, 200, {
      access_token: minted.accessToken,
      issued_token_type: ACCESS_TOKEN,
      token_type: 'Bearer',
      expires_in: minted.expiresInSeconds,
    });
  }
}
