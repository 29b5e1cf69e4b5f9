#!/usr/bin/env node
import { rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isArError } from '@ar/errors';
import { startEmulator } from './emulator.js';

const USAGE = `Usage: gar-emulator start [options]

A local Artifact Registry: Docker Registry API v2, the AR REST API subset, and Google's OAuth,
metadata-server and IAM-credentials stand-ins, on loopback.

Options:
  --port N            port of the first location (default 0: a free port)
  --host ADDR         interface (default 127.0.0.1)
  --location LOC      a location to serve on its own port; repeat for more (default us-central1)
  --data-dir DIR      where blobs and metadata live (default: a temp dir, removed on exit)
  --seed FILE         seed JSON: projects, repositories, service accounts, keys, bindings
  --tls               serve HTTPS; the CA is written to DATA_DIR/ca.pem
  --token-ttl SECONDS lifetime of minted access tokens (default 3600)
  --rate-limit N      requests per second per caller on the registry API (default: none)
  --ready-file FILE   write {"url", "urls", "dataDir", "tokenUrl", "stsUrl", "caCertPath"} there once serving
  --quiet             no request log (default: one JSON line per request on stdout)
  -h, --help          this help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      location: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      tls: { type: 'boolean' },
      'token-ttl': { type: 'string' },
      'rate-limit': { type: 'string' },
      'ready-file': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true || positionals[0] !== 'start') {
    process.stderr.write(USAGE);
    return values.help === true ? 0 : 2;
  }
  const number = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`--${name} ${value} is not a number`);
    return parsed;
  };
  const port = number('port', values.port);
  const tokenTtlSeconds = number('token-ttl', values['token-ttl']);
  const rate = number('rate-limit', values['rate-limit']);
  const emulator = await startEmulator({
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.location === undefined ? {} : { locations: values.location }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values.seed === undefined ? {} : { seed: values.seed }),
    ...(values.tls === true ? { tls: true } : {}),
    ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    ...(rate === undefined ? {} : { rateLimit: { requestsPerSecond: rate } }),
    ...(values.quiet === true ? {} : { log: process.stdout }),
  });
  const ready = {
    url: emulator.url(),
    urls: Object.fromEntries(emulator.locations.map((location) => [location, emulator.url(location)])),
    dataDir: emulator.dataDir,
    tokenUrl: emulator.tokenUrl,
    stsUrl: emulator.stsUrl,
    caCertPath: emulator.caCertPath ?? null,
  };
  if (values['ready-file'] !== undefined) {
    // Written then renamed: a watcher never reads half a file.
    await writeFile(`${values['ready-file']}.tmp`, JSON.stringify(ready));
    await rename(`${values['ready-file']}.tmp`, values['ready-file']);
  }
  process.stderr.write(
    `gar-emulator serving ${Object.entries(ready.urls)
      .map(([location, url]) => `${location} at ${url}`)
      .join(', ')}; data in ${emulator.dataDir}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = isArError(error)
      ? `${error.code}: ${error.message}`
      : String((error as Error)?.message ?? error);
    process.stderr.write(`gar-emulator: ${message}\n`);
    process.exitCode = 1;
  },
);
