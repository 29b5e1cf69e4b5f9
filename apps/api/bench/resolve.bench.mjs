#!/usr/bin/env node
// Load benchmark of GET /v1/images:resolve on a standard repository, as the service runs: the
// emulator (`gar-emulator start`) and the service (`ar-api`) each in its own process, autocannon
// in this one, everything on loopback. Two rows from one run: `before` (api.cache.enabled false,
// every request asks upstream, as main did) and `after` (the default cache). Beside each: upstream
// calls per resolve, counted from the emulator's request log (every request it answered, token
// exchanges included): `cold` is one resolve on a fresh service, `warm` the run's average.
//   npm run build -w @ar/api... && npm run bench -w @ar/api
//   BENCH_SECONDS (10), BENCH_CONNECTIONS (50), BENCH_MODES (before,after),
//   BENCH_CPU_PROF=DIR (a .cpuprofile of the service per mode, for Chrome DevTools)
// Exits 1 when any request of the `after` run errored or answered other than 200.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@ar/config';
import { createClient } from '@ar/core';
import { writeOciLayoutImage } from '@ar/test-support';
import autocannon from 'autocannon';

const PROJECT = 'bench-project';
const HOST = 'us-west1-docker.pkg.dev';
const KEY = 'bench-api-key-0123456789';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const modes = (process.env.BENCH_MODES ?? 'before,after').split(',');

const here = dirname(fileURLToPath(import.meta.url));
const apiMain = join(here, '../dist/main.js');
const emulatorCli = fileURLToPath(new URL('../../../packages/emulator/dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ar-api-bench-'));
/** Children get a home of their own: nothing of the user's gar, gcloud or Google setup leaks in. */
const childEnv = { PATH: process.env.PATH, HOME: work, NODE_ENV: 'production' };

const children = [];
function start(args, env = {}) {
  const child = spawn(process.execPath, args, {
    cwd: work,
    env: { ...childEnv, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until(what, check, timeoutMs = 60_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function row(values) {
  return `| ${Object.values(values).join(' | ')} |`;
}

const results = [];
let failed = false;
try {
  // The emulator: a service account that administers the project, one standard repository.
  writeFileSync(
    join(work, 'seed.json'),
    JSON.stringify({
      projects: [
        {
          id: PROJECT,
          serviceAccounts: [{ id: 'bench-svc', keyFile: 'keys/bench-svc.json' }],
          iam: [
            {
              role: 'roles/artifactregistry.admin',
              members: [`serviceAccount:bench-svc@${PROJECT}.iam.gserviceaccount.com`],
            },
          ],
          repositories: [{ id: 'apps', location: 'us-west1' }],
        },
      ],
    }),
  );
  const emulator = start([
    emulatorCli,
    'start',
    '--port',
    '0',
    '--location',
    'us-west1',
    '--seed',
    'seed.json',
    '--write-config',
    'gar.json',
    '--ready-file',
    'ready.json',
    '--log',
  ]);
  // Its stdout: the banner, then one JSON line per request it answered.
  let upstreamCalls = 0;
  createInterface({ input: emulator.stdout }).on('line', (line) => {
    if (line.startsWith('{"') && line.includes('"method"')) upstreamCalls++;
  });
  await until('the emulator start', () => existsSync(join(work, 'ready.json')));

  const garConfig = JSON.parse(readFileSync(join(work, 'gar.json'), 'utf8'));
  const port = await freePort();
  const apiConfig = {
    ...garConfig,
    project: PROJECT,
    location: 'us-west1',
    api: {
      host: '127.0.0.1',
      port,
      allowedHosts: [HOST],
      // Out of the way: this measures the request path, not the limiter's 429s.
      rateLimit: { perMinute: 1_000_000 },
      callers: [
        {
          name: 'bench',
          apiKeySha256: createHash('sha256').update(KEY).digest('hex'),
          grants: [{ prefix: `${HOST}/${PROJECT}`, role: 'read' }],
        },
      ],
    },
  };
  writeFileSync(join(work, 'api.json'), JSON.stringify(apiConfig, null, 2));

  const ref = `${HOST}/${PROJECT}/apps/app:1`;
  const { config } = resolveConfig({ configFile: join(work, 'api.json'), env: {}, homeDir: work });
  const setup = createClient(config);
  try {
    await writeOciLayoutImage(join(work, 'app'), { layerSizes: [4096, 2048] });
    await setup.push(`oci:${join(work, 'app')}`, ref);
  } finally {
    await setup.close();
  }

  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/v1/images:resolve?ref=${encodeURIComponent(ref)}`;
  const headers = { authorization: `Bearer ${KEY}` };
  for (const mode of modes) {
    // Logs as a deployment has them (info: a line per request), to a pipe this process drains.
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', '--cpu-prof-dir', resolvePath(process.env.BENCH_CPU_PROF)]
      : [];
    const api = start([...profile, '--enable-source-maps', apiMain, '--config', 'api.json'], {
      GAR_API_CACHE_ENABLED: mode === 'before' ? 'false' : 'true',
    });
    api.stdout.resume();
    try {
      await until('the service start', () =>
        fetch(`${base}/healthz`).then(
          (response) => response.ok,
          () => false,
        ),
      );
      const beforeCold = upstreamCalls;
      const first = await fetch(url, { headers });
      if (first.status !== 200) throw new Error(`resolve answered ${first.status}: ${await first.text()}`);
      await first.text();
      const cold = upstreamCalls - beforeCold;
      const beforeRun = upstreamCalls;
      const result = await autocannon({ url, connections, duration: seconds, headers });
      const warm = (upstreamCalls - beforeRun) / Math.max(1, result.requests.total);
      const errors = result.errors + result.timeouts;
      if (mode === 'after' && errors + result.non2xx > 0) failed = true;
      results.push({
        mode,
        connections,
        seconds,
        requests: result.requests.total,
        'req/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        errors,
        non2xx: result.non2xx,
        'upstream/resolve cold': cold,
        'upstream/resolve warm': warm.toFixed(4),
      });
    } finally {
      await stop(api);
    }
  }
} finally {
  for (const child of children) await stop(child);
  rmSync(work, { recursive: true, force: true });
}

const [one, five] = loadavg();
console.log(
  `GET /v1/images:resolve, emulator and ar-api as separate processes, ${cpus().length} CPUs, load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min) at the end`,
);
if (results.length > 0) {
  console.log(`| ${Object.keys(results[0]).join(' | ')} |`);
  console.log(
    `|${Object.keys(results[0])
      .map(() => '---')
      .join('|')}|`,
  );
  for (const result of results) console.log(row(result));
}
if (failed) process.exitCode = 1;
