import { discard, type Layer } from './types.js';

/** An OAuth2 access token on demand; `forceRefresh` is asked after the server refused the last one. */
export type AccessTokenProvider = (options: {
  forceRefresh: boolean;
  signal?: AbortSignal;
}) => Promise<string>;

/**
 * Authentication for APIs that take an OAuth2 access token as they are (Google's REST APIs), where
 * `authLayer` speaks the registry's token flow: adds `Authorization: Bearer`, and on a 401 gets a
 * fresh token once and replays, as `authLayer` does for registries. A credential problem is thrown
 * as itself.
 */
export function bearerTokenLayer(accessToken: AccessTokenProvider): Layer {
  return (next) => async (request) => {
    const send = async (forceRefresh: boolean) => {
      const token = await accessToken({ forceRefresh, signal: request.signal });
      return next({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
    };
    const response = await send(false);
    // A 401 from where a redirect led is not a verdict on this token.
    if (response.status !== 401 || response.url.origin !== request.url.origin) return response;
    await discard(response);
    return send(true);
  };
}
