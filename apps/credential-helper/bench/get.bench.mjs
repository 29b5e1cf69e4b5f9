// Benchmark: `docker-credential-gar get`, warm and cold, against Node's bare start-up (the floor)
// and, where installed, gcloud's helper. Cold gets fetch a token from the emulator's OAuth endpoint.
// Run: npm run bench -w @ar/docker-credential-gar (after a build).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@ar/emulator';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const helper = fileURLToPath(new URL('../dist/docker-credential-gar.js', import.meta.url));

const emulator = await startEmulator({ seed: { projects: [{ id: 'bench-project' }] } });
const account = emulator.createServiceAccount('bench-project', 'bench-pusher');
const home = mkdtempSync(join(tmpdir(), 'ar-helper-bench-'));
const keyFile = join(home, 'key.json');
writeFileSync(keyFile, JSON.stringify(await emulator.createServiceAccountKey(account)));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  GOOGLE_APPLICATION_CREDENTIALS: keyFile,
  CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
  GCE_METADATA_HOST: '127.0.0.1:9',
};

// Asynchronous: the emulator answering the cold gets runs in this very process.
function runOnce(command, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end(input ?? '');
  });
}

async function time(command, args, input, before) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    const start = process.hrtime.bigint();
    const status = await runOnce(command, args, input);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (i === 0) samples.status = status;
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(RUNS / 2)],
    p90: samples[Math.floor(RUNS * 0.9)],
    status: samples.status,
  };
}

const results = [];
results.push(['node -e 0 (floor)', await time(process.execPath, ['-e', '0'])]);
await runOnce(process.execPath, [helper, 'get'], 'us-docker.pkg.dev'); // warm the cache
results.push([
  'docker-credential-gar get, warm',
  await time(process.execPath, [helper, 'get'], 'us-docker.pkg.dev'),
]);
results.push([
  'docker-credential-gar get, other host',
  await time(process.execPath, [helper, 'get'], 'ghcr.io'),
]);
results.push([
  'docker-credential-gar get, cold (token fetch)',
  await time(process.execPath, [helper, 'get'], 'us-docker.pkg.dev', () =>
    rmSync(join(home, '.cache'), { recursive: true, force: true }),
  ),
]);
const gcloudHelper = spawnSync('sh', ['-c', 'command -v docker-credential-gcloud'], {
  encoding: 'utf8',
}).stdout.trim();
if (gcloudHelper)
  results.push(['docker-credential-gcloud get', await time(gcloudHelper, ['get'], 'us-docker.pkg.dev')]);

const floor = results[0][1].median;
console.log(`\n${RUNS} runs each, wall time per call (ms)\n`);
console.log('| command | median | p90 | × floor | exit |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, r] of results) {
  console.log(
    `| ${name} | ${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${(r.median / floor).toFixed(2)} | ${r.status} |`,
  );
}
if (!gcloudHelper) console.log('\n(docker-credential-gcloud is not installed here: not measured)');
await emulator.stop();
rmSync(home, { recursive: true, force: true });
