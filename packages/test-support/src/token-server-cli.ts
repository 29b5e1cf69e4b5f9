#!/usr/bin/env node
/**
 * `ar-token-server`: runs the token server until SIGTERM/SIGINT. Used by scripts/e2e-env.sh.
 * Logs one line per request on stderr, never a secret.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CredentialSpec } from './credentials.js';
import type { AccessRestriction } from './scope.js';
import { startTokenServer, type TokenServerOptions } from './token-server.js';

const USAGE = `Usage: ar-token-server [options]

  --host ADDR          listen address (default 127.0.0.1)
  --port N             token endpoint port (default 0: a free one)
  --admin-port N       admin API port (default 0: a free one)
  --service NAME       registry service name, the token's aud (default ar-e2e-registry)
  --issuer NAME        the token's iss (default ar-e2e-token-server)
  --token-ttl SECONDS  lifetime of issued tokens (default 300)
  --anonymous-pull     grant pull to requests without credentials (default: 401)
  --config FILE        JSON: {service, issuer, tokenTtlSeconds, anonymous, credentials: [...]}
  --cert FILE --key FILE     sign with this certificate and RSA key (PEM)
  --cert-out FILE      otherwise a fresh self-signed certificate is made; write it here
  --key-out FILE       ... and its private key here (mode 0600)
  --ready-file FILE    once listening, write {url, realm, adminUrl, service, issuer, pid} here
`;

interface ConfigFile {
  service?: string;
  issuer?: string;
  tokenTtlSeconds?: number;
  anonymous?: AccessRestriction | null;
  credentials?: CredentialSpec[];
}

function log(line: string) {
  process.stderr.write(`${new Date().toISOString()} token-server: ${line}\n`);
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new Error(`${flag} must be a port number, got "${value}"`);
  return n;
}

async function writeAtomically(path: string, text: string, mode: number) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'admin-port': { type: 'string' },
      service: { type: 'string' },
      issuer: { type: 'string' },
      'token-ttl': { type: 'string' },
      'anonymous-pull': { type: 'boolean' },
      config: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'cert-out': { type: 'string' },
      'key-out': { type: 'string' },
      'ready-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  let config: ConfigFile = {};
  if (values.config !== undefined) {
    try {
      config = JSON.parse(await readFile(values.config, 'utf8')) as ConfigFile;
    } catch (error) {
      throw new Error(
        `cannot read --config ${values.config}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if ((values.cert === undefined) !== (values.key === undefined))
    throw new Error('--cert and --key go together');
  const options: TokenServerOptions = { log };
  if (values.host !== undefined) options.host = values.host;
  const tokenPort = port(values.port, '--port');
  if (tokenPort !== undefined) options.port = tokenPort;
  const adminPort = port(values['admin-port'], '--admin-port');
  if (adminPort !== undefined) options.adminPort = adminPort;
  const service = values.service ?? config.service;
  if (service !== undefined) options.service = service;
  const issuer = values.issuer ?? config.issuer;
  if (issuer !== undefined) options.issuer = issuer;
  const ttl = values['token-ttl'] === undefined ? config.tokenTtlSeconds : Number(values['token-ttl']);
  if (ttl !== undefined) options.tokenTtlSeconds = ttl;
  if (values['anonymous-pull']) options.anonymous = { actions: ['pull'] };
  else if (config.anonymous !== undefined) options.anonymous = config.anonymous;
  if (config.credentials !== undefined) options.credentials = config.credentials;
  if (values.cert !== undefined && values.key !== undefined) {
    options.signing = {
      certificatePem: await readFile(values.cert, 'utf8'),
      privateKeyPem: await readFile(values.key, 'utf8'),
    };
  }

  const server = await startTokenServer(options);
  if (values['cert-out'] !== undefined)
    await writeAtomically(values['cert-out'], server.certificatePem, 0o644);
  if (values['key-out'] !== undefined) await writeAtomically(values['key-out'], server.privateKeyPem, 0o600);
  log(
    `listening on ${server.url} (realm ${server.realm}, admin ${server.adminUrl ?? 'off'}, service ${server.service}, issuer ${server.issuer})`,
  );
  if (values['ready-file'] !== undefined) {
    const ready = {
      url: server.url,
      realm: server.realm,
      adminUrl: server.adminUrl ?? null,
      service: server.service,
      issuer: server.issuer,
      pid: process.pid,
    };
    await writeAtomically(values['ready-file'], `${JSON.stringify(ready, null, 2)}\n`, 0o644);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) process.stderr.write(USAGE);
  process.exit(2);
});
