import { RegistryError } from '../errors.js';
import { type HostPolicy, redirectAllowed } from './host-policy.js';
import { redactUrl } from './log.js';
import { discard, header, type Layer, type RegistryRequest } from './types.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Headers that carry a credential: they never follow a redirect to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * Follows redirects (registries send blob downloads to storage: GCS, S3 signed URLs), in place of
 * undici's interceptor, which follows any redirect anywhere with every header. Within the
 * request's origin every redirect is followed as it is. Leaving it: only GET and HEAD (a write
 * must land where it was meant to, and a token request carries its credential in the body), only
 * to a target `redirectAllowed` accepts, and without the Authorization header, which was meant for
 * the registry (a signed URL carries its own authority). Anything else is refused before the
 * target is contacted.
 */
export function redirectLayer(policy?: HostPolicy): Layer {
  return (next) => async (request) => {
    let current = request;
    for (let hops = 0; ; hops++) {
      const response = await next(current);
      const location = REDIRECT_STATUSES.has(response.status) ? header(response, 'location') : undefined;
      if (location === undefined) return response;
      await discard(response);
      const target = new URL(location, current.url);
      if (hops === MAX_REDIRECTS)
        throw new RegistryError(
          'AR_REGISTRY_HTTP',
          `${request.method} ${redactUrl(request.url)} was redirected more than ${MAX_REDIRECTS} times; the registry is misconfigured.`,
          { status: response.status },
        );
      current = follow(current, target, response.status, policy);
    }
  };
}

function follow(
  request: RegistryRequest,
  target: URL,
  status: number,
  policy: HostPolicy | undefined,
): RegistryRequest {
  // As browsers and undici: 303, and 301/302 after a POST, become a GET without a body.
  const asGet =
    (status === 303 && request.method !== 'HEAD') ||
    ((status === 301 || status === 302) && request.method === 'POST');
  const method = asGet ? 'GET' : request.method;
  const headers = { ...request.headers };
  if (asGet) for (const name of Object.keys(headers)) if (/^content-/i.test(name)) delete headers[name];
  if (target.origin !== request.url.origin) {
    const refusal =
      method !== 'GET' && method !== 'HEAD'
        ? 'only downloads may leave the registry'
        : redirectAllowed(request.url, target, policy)
          ? undefined
          : policy
            ? 'the host is not allowed'
            : 'it would downgrade https to http';
    if (refusal !== undefined)
      throw new RegistryError(
        'AR_REGISTRY_REDIRECT_NOT_ALLOWED',
        `${request.method} ${redactUrl(request.url)} was redirected to ${target.protocol}//${target.host}, which was refused: ${refusal}. ` +
          'Nothing was sent there; check the registry, or allow the host.',
        { status },
      );
    for (const name of Object.keys(headers))
      if (CREDENTIAL_HEADERS.has(name.toLowerCase())) delete headers[name];
  }
  const { body, ...rest } = request;
  return { ...rest, method, url: target, headers, ...(asGet ? {} : { body }) };
}
