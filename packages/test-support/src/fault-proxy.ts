import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A fault the proxy injects instead of (or into) a forwarded exchange. */
export type Fault =
  /** Answer with this status without forwarding; `retryAfter` sets `Retry-After` (seconds). */
  | { kind: 'status'; status: number; retryAfter?: number; headers?: Record<string, string> }
  /** Forward, send the headers and `afterBytes` of the response body, then cut the connection. */
  | { kind: 'drop-response'; afterBytes: number }
  /** Read `afterBytes` of the request body, then cut the connection without answering. */
  | { kind: 'drop-request'; afterBytes: number }
  /** Forward, flipping one bit of the response body byte at `atByte`: the server lies. */
  | { kind: 'corrupt-response'; atByte: number }
  /** Wait `ms` before forwarding. */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  /** Requests the rule applies to; every field given must match. */
  method?: string;
  path?: RegExp;
  fault: Fault;
  /** How many matching requests get the fault. Default 1. */
  times?: number;
}

export interface ProxiedExchange {
  method: string;
  path: string;
  status: number | undefined;
  /** The fault injected, if any. */
  fault?: Fault['kind'];
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, to use as a registry host. */
  readonly host: string;
  /** Adds rules, checked in order; each is spent after `times` matches. */
  inject(...rules: FaultRule[]): void;
  /** Rules not spent yet. */
  pending(): number;
  /** Every exchange seen so far. */
  readonly exchanges: readonly ProxiedExchange[];
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Origin requests are forwarded to, e.g. `http://127.0.0.1:5000`. */
  target: string;
  rules?: FaultRule[];
}

/**
 * A loopback HTTP proxy in front of a real server that injects the failures networks and
 * overloaded registries produce (5xx, 429 with Retry-After, connections cut mid-body, corrupt
 * bytes, delays) on chosen requests, and forwards everything else untouched. The `Host` header is
 * kept, so a registry's absolute `Location` URLs point back at the proxy.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const rules: (FaultRule & { left: number })[] = [];
  const exchanges: ProxiedExchange[] = [];
  const sockets = new Set<Socket>();
  const inject = (...added: FaultRule[]) => {
    for (const rule of added) rules.push({ ...rule, left: rule.times ?? 1 });
  };
  inject(...(options.rules ?? []));

  const take = (req: IncomingMessage): Fault | undefined => {
    const rule = rules.find(
      (r) =>
        r.left > 0 &&
        (r.method === undefined || r.method === req.method) &&
        (r.path === undefined || r.path.test(req.url ?? '')),
    );
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, record: ProxiedExchange, fault?: Fault) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        let seen = 0;
        answer.on('data', (chunk: Buffer) => {
          let data = chunk;
          if (
            fault?.kind === 'corrupt-response' &&
            fault.atByte >= seen &&
            fault.atByte < seen + chunk.length
          ) {
            data = Buffer.from(chunk);
            const at = fault.atByte - seen;
            data[at] = (data[at] ?? 0) ^ 0x01;
          }
          if (fault?.kind === 'drop-response' && seen + chunk.length > fault.afterBytes) {
            const keep = Math.max(0, fault.afterBytes - seen);
            res.write(data.subarray(0, keep), () => res.socket?.destroy());
            answer.destroy();
            seen += chunk.length;
            return;
          }
          seen += chunk.length;
          if (!res.write(data)) {
            answer.pause();
            res.once('drain', () => answer.resume());
          }
        });
        answer.on('end', () => res.end());
        answer.on('error', () => res.socket?.destroy());
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    if (fault?.kind === 'drop-request') {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > fault.afterBytes) {
          upstream.destroy();
          req.socket.destroy();
          return;
        }
        upstream.write(chunk);
      });
      req.on('end', () => upstream.end());
    } else {
      req.pipe(upstream);
    }
  };

  const server = createServer((req, res) => {
    const record: ProxiedExchange = { method: req.method ?? '', path: req.url ?? '', status: undefined };
    exchanges.push(record);
    const fault = take(req);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        record.status = fault.status;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        Object.assign(headers, fault.headers);
        res.writeHead(fault.status, headers);
        res.end(
          JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected by the fault proxy' }] }),
        );
      });
      return;
    }
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => forward(req, res, record), fault.ms);
      req.socket.once('close', () => clearTimeout(timer));
      return;
    }
    forward(req, res, record, fault);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    inject,
    pending: () => rules.reduce((n, r) => n + r.left, 0),
    exchanges,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
