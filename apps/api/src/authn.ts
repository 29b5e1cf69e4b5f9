import { createHash, timingSafeEqual } from 'node:crypto';
import type { ArResolvedConfig } from '@ar/config';
import { OAuth2Client } from 'google-auth-library';
import type { Caller } from './authz.js';
import { ArApiError } from './errors.js';

const unauthenticated = (why: string) =>
  new ArApiError(
    'AR_API_UNAUTHENTICATED',
    `${why} Send "Authorization: Bearer <API key or Google-signed ID token>".`,
  );

/**
 * Bearer API keys (compared by SHA-256, the only form config holds) or Google-signed ID tokens
 * (signature, expiry, issuer and audience checked by google-auth-library; the email must be
 * verified and belong to a configured caller).
 */
export function createAuthenticator(api: ArResolvedConfig['api']) {
  const byKey = api.callers
    .filter((caller) => caller.apiKeySha256)
    .map((caller) => ({ caller, digest: Buffer.from(caller.apiKeySha256!, 'hex') }));
  const byEmail = new Map(
    api.callers.filter((caller) => caller.email).map((caller) => [caller.email!.toLowerCase(), caller]),
  );
  const oauth = new OAuth2Client({
    // `api.idTokenCertsUrl`: Google's PEM map by default; a stand-in in tests.
    endpoints: { oauth2FederatedSignonPemCertsUrl: api.idTokenCertsUrl },
  });

  const fromApiKey = (key: string): Caller | undefined => {
    const digest = createHash('sha256').update(key).digest();
    // Every configured key is compared, in constant time each, so timing tells nothing about which matched.
    let found: (typeof byKey)[number]['caller'] | undefined;
    for (const entry of byKey) if (timingSafeEqual(entry.digest, digest)) found ??= entry.caller;
    return found && { name: found.name, via: 'api-key', grants: found.grants };
  };

  const fromIdToken = async (token: string): Promise<Caller> => {
    if (!api.audience) throw unauthenticated('ID tokens are not accepted here (no api.audience configured).');
    let payload: { email?: string; email_verified?: boolean } | undefined;
    try {
      payload = (await oauth.verifyIdToken({ idToken: token, audience: api.audience })).getPayload();
    } catch (error) {
      // google-auth-library appends the token's claims to some messages: keep the sentence only.
      const reason = (error as Error).message
        .split('\n', 1)[0]!
        .replace(/:?\s*\{.*$/, '')
        .slice(0, 200);
      throw unauthenticated(`The ID token was refused: ${reason}.`);
    }
    const email = payload?.email?.toLowerCase();
    if (!email || payload?.email_verified !== true)
      throw unauthenticated('The ID token carries no verified email.');
    const caller = byEmail.get(email);
    if (!caller) throw unauthenticated(`No caller is configured for ${email}.`);
    return { name: caller.name, via: 'id-token', grants: caller.grants };
  };

  return async (authorization: string | undefined): Promise<Caller> => {
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated('No bearer credential.');
    const credential = match[1]!;
    // A JWT has three base64url parts; an API key is anything else.
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential)) return fromIdToken(credential);
    const caller = fromApiKey(credential);
    if (!caller) throw unauthenticated('The API key matches no caller.');
    return caller;
  };
}
