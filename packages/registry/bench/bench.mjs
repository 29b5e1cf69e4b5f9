// Push / pull / copy of a 1 GiB image (8 layers of random data): this client vs skopeo and vs the
// floor (curl moving the same blobs 4 at a time, unverified), against the token-auth distribution
// registry and the emulator. Run through scripts/e2e-env.sh:
//   bash scripts/e2e-env.sh run -- npm run bench -w @ar/registry
// AR_BENCH_LAYERS (default 8) and AR_BENCH_LAYER_MIB (default 128) set the image's shape: e.g.
// AR_BENCH_LAYERS=1 AR_BENCH_LAYER_MIB=1024 for one 1 GiB layer (peak RSS must not grow with it),
// AR_BENCH_LAYERS=4 AR_BENCH_LAYER_MIB=16 for a quick run.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { e2eEnv, tokenAdminClient, writeOciLayoutImage } from '@ar/test-support';
import { curlFloor } from './floor.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const LAYERS = Number(process.env.AR_BENCH_LAYERS ?? 8);
const LAYER_BYTES = Number(process.env.AR_BENCH_LAYER_MIB ?? 128) * 1024 * 1024;

function run(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

async function startEmulatorChild() {
  const child = spawn(process.execPath, [join(here, 'emulator-child.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before serving`)));
  });
  return {
    ...JSON.parse(first),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

const mib = (bytes) => bytes / 1024 / 1024;
const fmt = (n, d = 2) => n.toFixed(d);

async function benchTarget(target, layout, totalBytes, work) {
  const creds = `${target.username}:${target.password}`;
  const ours = { AR_BENCH_USER: target.username, AR_BENCH_PASS: target.password };
  const repo = (name) => `${target.host}/${target.repository(name)}`;
  const op = (src, dst) => run(process.execPath, [join(here, 'op.mjs'), src, dst], ours);
  const skopeo = (args) => run('skopeo', ['copy', '--quiet', ...args]);
  const rows = [];
  const add = (name, our, sk, floorMs) => {
    const { maxRssKiB, inProcessMs } = JSON.parse(our.stdout);
    rows.push({
      target: target.name,
      op: name,
      ours: our.ms,
      inProcess: inProcessMs,
      skopeo: sk.ms,
      floor: floorMs,
      rss: maxRssKiB / 1024,
    });
  };

  const floorDir = join(work, `${target.name}-floor`);
  await mkdir(floorDir);
  const floor = await curlFloor({
    host: target.host,
    repository: target.repository('floor'),
    username: target.username,
    password: target.password,
    layout,
    into: floorDir,
  });
  await rm(floorDir, { recursive: true, force: true });

  const pushOurs = await op(`oci:${layout}:bench`, `${repo('ours')}:1`);
  const pushSkopeo = await skopeo([
    '--dest-tls-verify=false',
    '--dest-creds',
    creds,
    `oci:${layout}:bench`,
    `docker://${repo('skopeo')}:1`,
  ]);
  add('push', pushOurs, pushSkopeo, floor.pushMs);

  const pullOurs = await op(`${repo('ours')}:1`, `oci:${join(work, `${target.name}-pull-ours`)}`);
  const pullSkopeo = await skopeo([
    '--src-tls-verify=false',
    '--src-creds',
    creds,
    `docker://${repo('skopeo')}:1`,
    `oci:${join(work, `${target.name}-pull-skopeo`)}:1`,
  ]);
  add('pull', pullOurs, pullSkopeo, floor.pullMs);
  await rm(join(work, `${target.name}-pull-ours`), { recursive: true, force: true });
  await rm(join(work, `${target.name}-pull-skopeo`), { recursive: true, force: true });

  const copyOurs = await op(`${repo('ours')}:1`, `${repo('ours-copy')}:1`);
  const copySkopeo = await skopeo([
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--src-creds',
    creds,
    '--dest-creds',
    creds,
    `docker://${repo('skopeo')}:1`,
    `docker://${repo('skopeo-copy')}:1`,
  ]);
  add('copy (same registry)', copyOurs, copySkopeo);
  return rows.map((r) => ({ ...r, totalBytes }));
}

async function main() {
  const env = e2eEnv();
  const work = await mkdtemp(join(tmpdir(), 'ar-registry-bench-'));
  let emulator;
  try {
    const layout = join(work, 'layout');
    const generated = performance.now();
    const built = await writeOciLayoutImage(layout, {
      layerSizes: Array(LAYERS).fill(LAYER_BYTES),
      tag: 'bench',
    });
    console.log(
      `generated ${fmt(mib(built.totalBytes) / 1024)} GiB in ${LAYERS} layers in ${fmt((performance.now() - generated) / 1000, 1)} s`,
    );

    const admin = tokenAdminClient(env.tokenAdmin);
    const credential = await admin.allow({ kind: 'access_token', tokenTtlSeconds: 3600 });
    const stamp = Date.now().toString(36);
    const targets = [
      {
        name: 'distribution',
        host: env.registry,
        repository: (name) => `bench-${stamp}-${name}`,
        username: credential.username,
        password: credential.password,
      },
    ];
    try {
      emulator = await startEmulatorChild();
      targets.push({
        name: 'emulator',
        repository: (name) => `bench-project/${name}/img`,
        ...emulator,
      });
    } catch (error) {
      console.log(`emulator not benchmarked: ${error.message}`);
    }
    const rows = [];
    for (const target of targets) rows.push(...(await benchTarget(target, layout, built.totalBytes, work)));

    // Wall times are of whole processes (Node start and undici load, ~0.2 s, included); "in
    // process" is the copy() call alone, what a library user or the API service sees. The
    // floor is curl's, 4 blobs at a time, unverified (goals: pull ≤ 1.3×, push ≤ 1.1×).
    console.log(
      '\n| target | operation | floor (curl) | @ar/registry (process) | in process | ours ÷ floor | skopeo | ours ÷ skopeo | @ar/registry peak RSS |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const ourRate = mib(r.totalBytes) / (r.ours / 1000);
      const skRate = mib(r.totalBytes) / (r.skopeo / 1000);
      const floor = r.floor === undefined ? '—' : `${fmt(r.floor / 1000)} s`;
      const overFloor = r.floor === undefined ? '—' : `${fmt(r.ours / r.floor)}×`;
      console.log(
        `| ${r.target} | ${r.op} | ${floor} | ${fmt(r.ours / 1000)} s (${fmt(ourRate, 0)} MiB/s) | ${fmt(r.inProcess / 1000)} s | ${overFloor} | ${fmt(r.skopeo / 1000)} s (${fmt(skRate, 0)} MiB/s) | ${fmt(r.ours / r.skopeo)}× | ${fmt(r.rss, 0)} MiB |`,
      );
    }
  } finally {
    await emulator?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
