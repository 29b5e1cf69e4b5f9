import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatorError } from '../errors.js';
import { locationOfHost } from '../names.js';
import { type Exchange, sendJson } from './exchange.js';

export type Route = (exchange: Exchange) => Promise<void> | void;

export interface RequestLogLine {
  time: string;
  id: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  location: string;
  /** Bytes read and written on the connection for this request, headers included. */
  bytesIn: number;
  bytesOut: number;
  principal?: string;
  upstream?: string;
  error?: string;
}

export interface ListenerOptions {
  host: string;
  port: number;
  defaultLocation: string;
  route: Route;
  log: ((line: RequestLogLine) => void) | undefined;
  tls?: { key: string; cert: string } | undefined;
}

export interface Listener {
  server: Server;
  port: number;
  location: string;
  close(): Promise<void>;
}

/** Query parameters that could carry a secret never reach the log. */
const SECRET_PARAMS = /^(access_token|token|assertion|refresh_token|client_secret|password)$/i;

function loggedPath(url: URL): string {
  const params = [...url.searchParams.keys()].filter((key) => !SECRET_PARAMS.test(key));
  if (params.length === 0) return url.pathname;
  const kept = new URLSearchParams();
  for (const key of params) kept.set(key, url.searchParams.get(key) ?? '');
  return `${url.pathname}?${kept}`;
}

/** One port: a default location, every API on it, one log line per request. */
export async function listen(options: ListenerOptions): Promise<Listener> {
  const scheme = options.tls === undefined ? 'http' : 'https';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    // Socket counters include headers and are shared by keep-alive requests: take the difference.
    const socket = req.socket;
    const readAtStart = socket.bytesRead;
    const writtenAtStart = socket.bytesWritten;
    const host = req.headers.host ?? `${options.host}:${options.port}`;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `${scheme}://${host}`);
    } catch {
      url = new URL('/', `${scheme}://127.0.0.1`);
    }
    const exchange: Exchange = {
      req,
      res,
      url,
      base: `${scheme}://${host}`,
      host,
      location: locationOfHost(host) ?? options.defaultLocation,
      log: {},
    };
    res.once('close', () => {
      if (options.log === undefined) return;
      const line: RequestLogLine = {
        time: new Date().toISOString(),
        id: randomUUID(),
        method: req.method ?? '',
        path: loggedPath(url),
        status: res.writableFinished ? res.statusCode : 499,
        ms: Math.round((performance.now() - started) * 10) / 10,
        location: exchange.location,
        bytesIn: 0,
        bytesOut: 0,
      };
      line.bytesIn = socket.bytesRead - readAtStart;
      line.bytesOut = socket.bytesWritten - writtenAtStart;
      Object.assign(line, exchange.log);
      options.log(line);
    });
    Promise.resolve()
      .then(() => options.route(exchange))
      .catch((error: unknown) => {
        exchange.log.error = error instanceof EmulatorError ? error.code : 'AR_EMULATOR_INTERNAL';
        if (!res.headersSent)
          sendJson(exchange, 500, {
            error: { code: 500, message: 'Internal emulator error', status: 'INTERNAL' },
          });
        else res.destroy();
      });
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(handler)
      : (createHttpsServer(options.tls, handler) as unknown as Server);
  // Big blobs take as long as they take; the default 5-minute request timeout would cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw new EmulatorError(
      'AR_EMULATOR_START_FAILED',
      `Cannot listen on ${options.host}:${options.port}: ${(error as Error).message}. Pick another port (0 picks a free one).`,
      { cause: error },
    );
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    location: options.defaultLocation,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A token bucket per caller: `requestsPerSecond` refill, `burst` capacity. Returns the seconds to
 * wait when the caller is over the limit, undefined when the request may go.
 */
export function createRateLimiter(
  limit: { requestsPerSecond: number; burst?: number } | undefined,
  now: () => number = Date.now,
): (key: string) => number | undefined {
  if (limit === undefined) return () => undefined;
  const capacity = limit.burst ?? Math.max(1, limit.requestsPerSecond);
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (key) => {
    const time = now();
    const bucket = buckets.get(key) ?? { tokens: capacity, at: time };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.at) / 1000) * limit.requestsPerSecond);
    bucket.at = time;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond));
  };
}
