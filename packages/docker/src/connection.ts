import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ArResolvedConfig } from '@ar/config';
import { DockerError } from './errors.js';

/** Where and how to dial the engine: what docker-modem needs, decided once, from the config. */
export type EngineConnection =
  | {
      readonly kind: 'unix' | 'npipe';
      readonly socketPath: string;
      /** `unix:///var/run/docker.sock`: for messages. */
      readonly address: string;
      /** Every address considered, in order (the default socket search); for the "unreachable" message. */
      readonly lookedAt: readonly string[];
      readonly origin: string;
    }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly protocol: 'http' | 'https';
      readonly tls?: EngineTls;
      readonly address: string;
      readonly lookedAt: readonly string[];
      readonly origin: string;
    };

export interface EngineTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** DOCKER_TLS_VERIFY: check the engine's certificate against `ca`. */
  readonly verify: boolean;
}

export interface ResolveConnectionOptions {
  /** Where `docker.host` came from, for messages (e.g. `originOf('docker.host')` of @ar/config). */
  readonly origin?: string;
  /** The default sockets, most specific first; tests point these at temp paths. */
  readonly defaultSockets?: readonly string[];
  readonly platform?: NodeJS.Platform;
}

/**
 * Docker's default sockets on Unix: Docker Desktop's per-user socket when present, then the
 * system one (the order docker-modem and the Docker CLI use).
 */
export function defaultSockets(home = homedir()): string[] {
  return [join(home, '.docker', 'run', 'docker.sock'), '/var/run/docker.sock'];
}

const WINDOWS_PIPE = '//./pipe/docker_engine';

/**
 * Decides how to reach the engine, as the Docker CLI does: `docker.host` (DOCKER_HOST, or the
 * config file's engine host) if set, else the first default socket that exists, else the system
 * socket. tcp:// speaks TLS when `tlsVerify` (DOCKER_TLS_VERIFY) or `certPath` (DOCKER_CERT_PATH)
 * is set, or on port 2376, with `ca.pem`, `cert.pem`, `key.pem` from `certPath` (default the
 * Docker config dir, as Docker does).
 */
export function resolveEngineConnection(
  docker: Pick<ArResolvedConfig['docker'], 'host' | 'certPath' | 'tlsVerify' | 'configDir'>,
  options: ResolveConnectionOptions = {},
): EngineConnection {
  const platform = options.platform ?? process.platform;
  const host = docker.host?.trim();
  if (!host) {
    if (platform === 'win32')
      return {
        kind: 'npipe',
        socketPath: WINDOWS_PIPE,
        address: `npipe://${WINDOWS_PIPE}`,
        lookedAt: [`npipe://${WINDOWS_PIPE}`],
        origin: 'the default named pipe',
      };
    const candidates = options.defaultSockets ?? defaultSockets();
    const found = candidates.find((path) => existsSync(path)) ?? candidates[candidates.length - 1];
    if (found === undefined)
      throw new DockerError('AR_DOCKER_INVALID_ARGUMENT', 'No default Docker socket to look at was given.');
    return {
      kind: 'unix',
      socketPath: found,
      address: `unix://${found}`,
      lookedAt: candidates.map((path) => `unix://${path}`),
      origin: 'the default socket (docker.host / DOCKER_HOST not set)',
    };
  }
  const origin = options.origin ?? 'docker.host (DOCKER_HOST or the gar config)';
  const fix = `Set DOCKER_HOST (or docker.host in the gar config) to unix:///path/to/docker.sock or tcp://HOST:PORT.`;
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/'))
      throw new DockerError(
        'AR_DOCKER_INVALID_HOST',
        `The engine address "${host}" (from ${origin}) has no absolute socket path. ${fix}`,
      );
    return { kind: 'unix', socketPath, address: host, lookedAt: [host], origin };
  }
  if (host.startsWith('npipe://')) {
    const socketPath = host.slice('npipe://'.length) || WINDOWS_PIPE;
    return { kind: 'npipe', socketPath, address: host, lookedAt: [host], origin };
  }
  if (host.startsWith('ssh://'))
    throw new DockerError(
      'AR_DOCKER_INVALID_HOST',
      `The engine address "${host}" (from ${origin}) uses ssh://, which this adapter does not dial. Forward the socket (ssh -L /tmp/docker.sock:/var/run/docker.sock HOST) and use unix:///tmp/docker.sock, or expose the engine on tcp:// with TLS.`,
    );
  // Docker accepts tcp://, http://, https:// and a bare HOST:PORT.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    throw new DockerError(
      'AR_DOCKER_INVALID_HOST',
      `The engine address "${host}" (from ${origin}) is not a URL. ${fix}`,
      {
        cause: error,
      },
    );
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol) || url.hostname === '')
    throw new DockerError(
      'AR_DOCKER_INVALID_HOST',
      `The engine address "${host}" (from ${origin}) is not one this adapter dials (unix://, tcp://, http://, https://, npipe://). ${fix}`,
    );
  const wantsTls =
    docker.tlsVerify || docker.certPath !== undefined || url.protocol === 'https:' || url.port === '2376';
  const port = Number(url.port || (wantsTls ? 2376 : 2375));
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const base = { kind: 'tcp' as const, host: hostname, port, address: host, lookedAt: [host], origin };
  if (!wantsTls) return { ...base, protocol: 'http' };
  return {
    ...base,
    protocol: 'https',
    tls: readTls(docker.certPath ?? docker.configDir, docker.tlsVerify, origin),
  };
}

function readTls(dir: string, verify: boolean, origin: string): EngineTls {
  const read = (name: string, required: boolean): Buffer | undefined => {
    const path = join(dir, name);
    try {
      return readFileSync(path);
    } catch (error) {
      if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new DockerError(
        'AR_DOCKER_INVALID_HOST',
        `Cannot read ${path} for the TLS connection to the engine (from ${origin}): ${(error as Error).message}. Put ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (docker.certPath), or unset DOCKER_TLS_VERIFY for an engine without TLS.`,
        { cause: error },
      );
    }
  };
  // Verification needs the CA; client certificates are used when present (as the Docker CLI does).
  const ca = read('ca.pem', verify);
  const cert = read('cert.pem', false);
  const key = read('key.pem', false);
  if ((cert === undefined) !== (key === undefined))
    throw new DockerError(
      'AR_DOCKER_INVALID_HOST',
      `${dir} has ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}: a client certificate needs both.`,
    );
  return { ca, cert, key, verify };
}

/** docker-modem's options for a connection, with every environment-derived default overridden. */
export function modemOptions(connection: EngineConnection): Record<string, unknown> {
  // docker-modem merges its own DOCKER_HOST/DOCKER_CERT_PATH reading under ours: each key it
  // might fill from process.env is set here, to undefined where unused, so the config wins.
  const cleared = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    pathPrefix: undefined,
    username: undefined,
    sshOptions: undefined,
    timeout: undefined,
    agent: undefined,
  };
  if (connection.kind !== 'tcp') return { ...cleared, socketPath: connection.socketPath };
  return {
    ...cleared,
    host: connection.host,
    port: connection.port,
    protocol: connection.protocol,
    ...(connection.tls
      ? {
          ca: connection.tls.ca,
          cert: connection.tls.cert,
          key: connection.tls.key,
          // docker-modem has no rejectUnauthorized option: an agent carries the verification
          // choice (DOCKER_TLS_VERIFY unset means TLS without checking the engine's certificate).
          agent: new HttpsAgent({
            ca: connection.tls.ca,
            cert: connection.tls.cert,
            key: connection.tls.key,
            rejectUnauthorized: connection.tls.verify,
          }),
        }
      : {}),
  };
}
