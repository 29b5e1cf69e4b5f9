import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { emulatorConnection, formatBanner } from './connection.js';
import { type EmulatorOptions, startEmulator } from './emulator.js';
import { EmulatorError } from './errors.js';

/**
 * `start`, the one command behind both front doors: the `gar-emulator start` bin and
 * `gar emulator start`, which hands its arguments here. One option set, one help text, one banner.
 */
const USAGE = `Usage: COMMAND [options]

A local Artifact Registry: Docker Registry API v2, the AR REST API subset, and Google's OAuth,
metadata-server, IAM-credentials and Service Usage stand-ins, on loopback.

Options:
  --port N             port of the first location (default 0: a free port)
  --host ADDR          interface (default 127.0.0.1)
  --location LOC       a location to serve on its own port; repeat for more (default us-central1)
  --data-dir DIR       where blobs and metadata live (default: a temp dir, removed on exit)
  --seed FILE          seed JSON: projects, repositories, service accounts, keys, bindings.
                       Key files it names are written once and never over an existing file
                       (AR_EMULATOR_KEY_FILE_EXISTS); with a temporary data dir they are
                       removed on exit, as their keys die with it
  --tls                serve HTTPS; the CA is written to DATA_DIR/ca.pem
  --token-ttl SECONDS  lifetime of minted access tokens (default 3600)
  --rate-limit N       requests per second per caller on the registry API (default: none)
  --cleanup-interval SECONDS
                       how often repositories' cleanup policies run (default 86400; 0 never:
                       POST /emulator/v1/…/repositories/R:runCleanupPolicies runs them on demand)
  --ready-file FILE    write the connection info as JSON there once serving (url, urls,
                       dataDir, tokenUrl, stsUrl, metadataHost, caCertPath, keyFiles, env,
                       garConfig)
  --write-config FILE  write a gar config pointing at the emulator there (then GAR_CONFIG=FILE)
  --log                one JSON line per request on stdout
  -h, --help           this help
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  location: { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
  seed: { type: 'string' },
  tls: { type: 'boolean' },
  'token-ttl': { type: 'string' },
  'rate-limit': { type: 'string' },
  'cleanup-interval': { type: 'string' },
  'ready-file': { type: 'string' },
  'write-config': { type: 'string' },
  log: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The help text, for the command as the user types it (`gar-emulator start`, `gar emulator start`). */
export function startUsage(command: string): string {
  return USAGE.replace('COMMAND', command);
}

export interface StartCommandIo {
  /** The command as the user typed it, for the help text. */
  command: string;
  /** Banner and (with --log) the request log. */
  stdout: NodeJS.WritableStream;
  /** Help text. */
  stderr: NodeJS.WritableStream;
  /** Defaults a front door brings (gar: its config's emulator.port and emulator.dataDir). */
  defaults?: Pick<EmulatorOptions, 'port' | 'dataDir'>;
  /** Stops the emulator; default SIGINT or SIGTERM. */
  signal?: AbortSignal;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new EmulatorError('AR_EMULATOR_OPTIONS_INVALID', `--${name} ${value} is not a number.`);
  }
  return parsed;
}

/** Writes a file whole: a reader never sees half of it. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

function untilSignal(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal !== undefined) {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * Runs `start [options]` until stopped; resolves with the exit status (2 for a usage error).
 * Errors (a bad option, a seed problem, a key file in the way) reject as `EmulatorError`.
 */
export async function runStartCommand(argv: readonly string[], io: StartCommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${startUsage(io.command)}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stderr.write(startUsage(io.command));
    return 0;
  }
  if (positionals.length > 0) {
    io.stderr.write(`Unexpected argument ${positionals[0]}.\n\n${startUsage(io.command)}`);
    return 2;
  }
  const port = number('port', values.port) ?? io.defaults?.port;
  const dataDir = values['data-dir'] ?? io.defaults?.dataDir;
  const tokenTtlSeconds = number('token-ttl', values['token-ttl']);
  const rate = number('rate-limit', values['rate-limit']);
  const cleanupIntervalSeconds = number('cleanup-interval', values['cleanup-interval']);
  const emulator = await startEmulator({
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.location === undefined ? {} : { locations: values.location }),
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(values.seed === undefined ? {} : { seed: values.seed }),
    ...(values.tls === true ? { tls: true } : {}),
    ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    ...(rate === undefined ? {} : { rateLimit: { requestsPerSecond: rate } }),
    ...(cleanupIntervalSeconds === undefined ? {} : { cleanupIntervalSeconds }),
    ...(values.log === true ? { log: io.stdout } : {}),
  });
  // Listening before the banner: whoever reads it may stop us at once, and a SIGTERM with no
  // listener yet would kill the process instead of stopping the emulator cleanly.
  const stopped = untilSignal(io.signal);
  try {
    const connection = emulatorConnection(emulator);
    const configFile = values['write-config'];
    if (configFile !== undefined) {
      await writeWhole(configFile, `${JSON.stringify(connection.garConfig, null, 2)}\n`);
    }
    if (values['ready-file'] !== undefined) {
      await writeWhole(values['ready-file'], JSON.stringify(connection));
    }
    io.stdout.write(formatBanner(connection, configFile));
    await stopped;
  } finally {
    await emulator.stop();
  }
  return 0;
}
