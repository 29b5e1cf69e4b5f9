// Benchmark: `docker-credential-gar get`, warm and cold, against Node's bare start-up (the floor)
// and, where installed, gcloud's helper. Cold gets fetch a token from the emulator's OAuth endpoint.
// Run: npm run bench -w @ar/docker-credential-gar (after a build).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_METADATA_SERVER, startTestEmulator } from '@ar/emulator/testing';
import { runCommand } from '@ar/test-support';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const helper = fileURLToPath(new URL('../dist/docker-credential-gar.cjs', import.meta.url));

const fixture = await startTestEmulator({ project: 'bench-project', accounts: { 'bench-pusher': null } });
const home = fixture.work;
const keyFile = join(home, 'key.json');
writeFileSync(
  keyFile,
  JSON.stringify(await fixture.emulator.createServiceAccountKey(fixture.email('bench-pusher'))),
);
const env = {
  PATH: process.env.PATH,
  HOME: home,
  GOOGLE_APPLICATION_CREDENTIALS: keyFile,
  CLOUDSDK_AUTH_TOKEN_HOST: fixture.emulator.tokenUrl,
  GCE_METADATA_HOST: NO_METADATA_SERVER,
};

const quote = (part) => `'${part.replaceAll("'", `'\\''`)}'`;

/** Runs `script` under `sh` with `input` on stdin: asynchronous, as the emulator answering cold gets runs in this process. */
async function shell(script, input) {
  const run = await runCommand('sh', ['-c', script], { env, input: input ?? '' });
  return { status: run.code, out: run.stdout };
}

/** `0m0.083s` → 83. */
function milliseconds(text) {
  const match = /(\d+)m([\d.]+)s/.exec(text ?? '');
  return match ? (Number(match[1]) * 60 + Number(match[2])) * 1000 : 0;
}

/**
 * Wall time of each call, and CPU time (user + system) per call from one shell that makes all the
 * calls and reports its children's total with `times`: on a busy machine CPU time moves far less
 * than wall time, and over many calls its 10 ms clock tick averages out. `prepare` is a shell
 * command run before each call (its cost is in the CPU figure too).
 */
async function time(command, args, input, prepare = ':') {
  const call = `${prepare}; ${[command, ...args].map(quote).join(' ')} >/dev/null 2>&1`;
  const wall = [];
  let status;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const run = await shell(`${call}; exit $?`, input);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    status ??= run.status;
  }
  const inputFile = join(home, 'input.txt');
  writeFileSync(inputFile, input ?? '');
  const batch = await shell(
    `i=0; while [ $i -lt ${RUNS} ]; do ${call} <${quote(inputFile)}; i=$((i+1)); done; times`,
  );
  const [user, system] = (batch.out.trim().split('\n')[1] ?? '').split(/\s+/).map(milliseconds);
  const sorted = [...wall].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(RUNS / 2)],
    p90: sorted[Math.floor(RUNS * 0.9)],
    cpu: (user + system) / RUNS,
    status,
  };
}

const results = [];
results.push(['node -e 0 (floor)', await time(process.execPath, ['-e', '0'])]);
await shell(`${quote(process.execPath)} ${quote(helper)} get >/dev/null`, 'us-docker.pkg.dev'); // warm the cache
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
  await time(process.execPath, [helper, 'get'], 'us-docker.pkg.dev', `rm -rf ${quote(join(home, '.cache'))}`),
]);
const gcloudHelper = spawnSync('sh', ['-c', 'command -v docker-credential-gcloud'], {
  encoding: 'utf8',
}).stdout.trim();
if (gcloudHelper)
  results.push(['docker-credential-gcloud get', await time(gcloudHelper, ['get'], 'us-docker.pkg.dev')]);

const floor = results[0][1];
console.log(
  `\n${RUNS} runs each, per call in ms: wall time (median, p90) and CPU time (user + system, mean)\n`,
);
console.log('| command | wall median | wall p90 | wall × floor | CPU | CPU × floor | exit |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, r] of results) {
  const cells = [
    r.median.toFixed(1),
    r.p90.toFixed(1),
    (r.median / floor.median).toFixed(2),
    r.cpu.toFixed(1),
    (r.cpu / floor.cpu).toFixed(2),
    r.status,
  ];
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
if (!gcloudHelper) console.log('\n(docker-credential-gcloud is not installed here: not measured)');
await fixture.stop();
