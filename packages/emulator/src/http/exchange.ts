import type { IncomingMessage, ServerResponse } from 'node:http';
import { asEmulatorError, EMULATOR_ERROR_KINDS, EmulatorError, WIRE_FORMS } from '../errors.js';

/** One request as every handler sees it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** `http://127.0.0.1:5000`, as the client addressed us (for challenge realms and Location). */
  base: string;
  /** The Host header as sent (the registry `service`). */
  host: string;
  /** Location from an AR host name, else the listener's default. */
  location: string;
  /** Filled as the request is understood, for the request log (never a secret). */
  log: { principal?: string; upstream?: string; error?: string };
}

export function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function sendJson(
  exchange: Exchange,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  exchange.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  exchange.res.end(exchange.req.method === 'HEAD' ? undefined : text);
}

export function sendEmpty(
  exchange: Exchange,
  status: number,
  headers: Record<string, string | number> = {},
): void {
  exchange.res.writeHead(status, { 'Content-Length': 0, ...headers });
  exchange.res.end();
}

/** Registry API errors: `{errors: [{code, message, detail}]}` (OCI distribution spec). */
export function sendOciError(
  exchange: Exchange,
  error: EmulatorError,
  headers: Record<string, string> = {},
): void {
  const form = WIRE_FORMS[error.code];
  exchange.log.error = error.code;
  const extra: Record<string, string> = { ...headers };
  if (error.retryAfterSeconds !== undefined) extra['Retry-After'] = String(error.retryAfterSeconds);
  sendJson(
    exchange,
    form.status,
    { errors: [{ code: form.oci, message: error.message, detail: error.detail ?? null }] },
    extra,
  );
}

/** Google API errors: `{error: {code, message, status}}`. */
export function sendGoogleError(exchange: Exchange, error: EmulatorError): void {
  const form = WIRE_FORMS[error.code];
  exchange.log.error = error.code;
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  if (form.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="https://accounts.google.com/"';
  sendJson(
    exchange,
    form.status,
    { error: { code: form.status, message: error.message, status: EMULATOR_ERROR_KINDS[error.code] } },
    headers,
  );
}

/**
 * OAuth 2.0 errors (RFC 6749 §5.2), as Google's token endpoints send them: `{error,
 * error_description}`, 401 for `invalid_client`, 400 for the other kinds `kindOf` names, 500 for
 * anything it does not.
 */
export function sendOAuthError(
  exchange: Exchange,
  error: unknown,
  kindOf: (failure: EmulatorError) => string | undefined,
): void {
  const failure = asEmulatorError(error);
  exchange.log.error = failure.code;
  const kind = kindOf(failure) ?? 'server_error';
  const status = kind === 'invalid_client' ? 401 : kind === 'server_error' ? 500 : 400;
  sendJson(exchange, status, { error: kind, error_description: failure.message });
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A token endpoint's request: a form or JSON body of at most 1 MiB, as a flat record of strings. */
export async function readTokenRequest(exchange: Exchange): Promise<Record<string, string>> {
  const body = await readBody(exchange.req, 1024 * 1024);
  if (body === undefined) throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', 'Request body too large.');
  return parseFormOrJson(body, header(exchange, 'content-type'));
}

/** Form (`application/x-www-form-urlencoded`) or JSON body as a flat record of strings. */
export function parseFormOrJson(body: Buffer, contentType: string | undefined): Record<string, string> {
  const text = body.toString('utf8');
  if (contentType?.includes('application/json')) {
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, String(field)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
