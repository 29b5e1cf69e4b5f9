// Benchmark: `gar --help` and `gar --version` against Node's bare start-up (`node -e 0`, the
// floor), as new processes, interleaved so that load from elsewhere falls on all alike (goal: each
// ≤ 1.3× the floor); then `gar copy` of an 8-layer image to another repository of the same
// registry (the emulator, in this process), a whole new process each time (goal: ≤ 0.3 s).
// Run after a build: npm run bench -w @ar/cli  (BENCH_RUNS, default 40; copies: a quarter).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator } from '@ar/emulator/testing';
import { runCommand, writeOciLayoutImage } from '@ar/test-support';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const garPath = fileURLToPath(new URL('../dist/gar.js', import.meta.url));
const cases = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'gar --help', args: [garPath, '--help'] },
  { name: 'gar --version', args: [garPath, '--version'] },
];

function once(args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

/** Times `gar copy` between two repositories of the emulator; the emulator answers from this process. */
async function timeCopies(runs) {
  const host = 'us-west1-docker.pkg.dev';
  const fixture = await startTestEmulator({
    project: 'bench-project',
    location: 'us-west1',
    accounts: { 'bench-admin': 'roles/artifactregistry.admin' },
    repositories: ['from', 'to'],
  });
  try {
    const { project: _, location: __, ...endpoints } = fixture.clientConfig();
    const config = join(fixture.work, 'gar.json');
    writeFileSync(config, JSON.stringify(endpoints));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: fixture.work,
      GAR_CONFIG: config,
      GAR_PROJECT: fixture.project,
      GAR_LOCATION: fixture.location,
      GAR_ACCESS_TOKEN: fixture.token('bench-admin'),
    };
    const gar = async (...args) => {
      const started = process.hrtime.bigint();
      const run = await runCommand(process.execPath, [garPath, ...args, '--no-progress'], { env });
      if (run.code !== 0) throw new Error(`gar ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const layout = join(fixture.work, 'layout');
    await writeOciLayoutImage(layout, { layerSizes: Array(8).fill(1 << 20) });
    const source = `${host}/bench-project/from/app:1`;
    await gar('push', `oci:${layout}`, source);
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(await gar('copy', source, `${host}/bench-project/to/app${i}:1`));
    return ms;
  } finally {
    await fixture.stop();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (const c of cases) once(c.args); // warm the page cache
const times = new Map(cases.map((c) => [c.name, []]));
for (let round = 0; round < RUNS; round++) for (const c of cases) times.get(c.name).push(once(c.args));

const floor = median(times.get('node -e 0'));
times.set('gar copy (8 layers, same registry)', await timeCopies(Math.max(3, RUNS >> 2)));
cases.push({ name: 'gar copy (8 layers, same registry)' });
console.log(`Node ${process.version}, ${RUNS} runs each (copies: ${Math.max(3, RUNS >> 2)}), medians\n`);
console.log('| command | median | min | ÷ node -e 0 |');
console.log('|---|---|---|---|');
for (const c of cases) {
  const all = times.get(c.name);
  console.log(
    `| ${c.name} | ${median(all).toFixed(1)} ms | ${Math.min(...all).toFixed(1)} ms | ${(median(all) / floor).toFixed(2)}× |`,
  );
}
