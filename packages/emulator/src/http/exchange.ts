import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorError, WIRE_FORMS } from '../errors.js';

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
    { error: { code: form.status, message: error.message, status: form.google } },
    headers,
  );
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
