// `gar copy --recursive` against `skopeo sync --src docker --dest docker` on the same tree: the
// standard tree of @ar/test-support (20 images in 7 repositories under team/, layers shared
// between images, a two-platform index), pushed to a no-auth CNCF distribution registry, copied to
// a second one. Each tool gets a fresh destination prefix; skopeo's blob-info cache is cleared
// first so it cannot mount from memory. skopeo sync takes one repository per run (--src docker),
// so it runs once per repository and its time is the sum, as a script would do it.
//   npm run build && npm run bench:tree -w @ar/core      (no other services needed; root for the cache)
// AR_BENCH_LAYER_KIB (default 1024) sizes each layer; AR_BENCH_JOBS / AR_BENCH_BLOBS tune gar.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryClient } from '@ar/registry';
import { pushImageTree, standardTree, startPlainRegistry } from '@ar/test-support';

const GAR = fileURLToPath(new URL('../../../apps/cli/dist/gar.js', import.meta.url));
const LAYER_BYTES = Number(process.env.AR_BENCH_LAYER_KIB ?? 1024) * 1024;
const SKOPEO_CACHE = '/var/lib/containers/cache';

/** Runs a command; resolves with its wall time (ms) and, under /usr/bin/time -v, its peak RSS (KiB). */
function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', command, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0)
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]);
      resolve({ ms, rssKiB: rss });
    });
  });
}

const source = await startPlainRegistry();
const destination = await startPlainRegistry();
const home = await mkdtemp(join(tmpdir(), 'ar-tree-bench-'));
const client = new RegistryClient();
try {
  const images = await pushImageTree(client, source.host, 'src', standardTree(), { layerBytes: LAYER_BYTES });
  const team = images.filter((image) => image.repository.startsWith('team/'));
  const repositories = [...new Set(team.map((image) => image.repository))];
  const bytes = new Set(team.flatMap((image) => image.layers)).size * LAYER_BYTES;
  console.log(
    `tree: ${team.length} images in ${repositories.length} repositories, ${(bytes / 2 ** 20).toFixed(0)} MiB of distinct layers; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );

  await rm(SKOPEO_CACHE, { recursive: true, force: true });
  let skopeoMs = 0;
  let skopeoRss = 0;
  for (const repository of repositories) {
    const result = await run(
      'skopeo',
      [
        'sync',
        '--src',
        'docker',
        '--dest',
        'docker',
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `${source.host}/src/${repository}`,
        // sync appends the repository's last component to the destination.
        `${destination.host}/skopeo/${repository.split('/').slice(0, -1).join('/')}`,
      ],
      { PATH: process.env.PATH, HOME: home },
    );
    skopeoMs += result.ms;
    skopeoRss = Math.max(skopeoRss, result.rssKiB);
  }

  const gar = await run(
    process.execPath,
    [
      GAR,
      'copy',
      '--recursive',
      `${source.host}/src/team`,
      `${destination.host}/gar/team`,
      '--no-progress',
      ...(process.env.AR_BENCH_JOBS ? ['--jobs', process.env.AR_BENCH_JOBS] : []),
      ...(process.env.AR_BENCH_BLOBS ? ['--max-concurrent-blobs', process.env.AR_BENCH_BLOBS] : []),
    ],
    { PATH: process.env.PATH, HOME: home },
  );

  const row = (name, ms, rss) =>
    `| ${name.padEnd(40)} | ${(ms / 1000).toFixed(2).padStart(6)} s | ${(rss / 1024).toFixed(0).padStart(5)} MiB |`;
  console.log('| tool                                     |  wall    | peak RSS  |');
  console.log('| ---------------------------------------- | -------- | --------- |');
  console.log(row(`skopeo sync (${repositories.length} runs, one per repository)`, skopeoMs, skopeoRss));
  console.log(row('gar copy --recursive (one run)', gar.ms, gar.rssKiB));
  console.log(
    `gar ÷ skopeo: ${(gar.ms / skopeoMs).toFixed(2)}× (goal ≤ 0.5×); gar peak RSS ${(gar.rssKiB / 1024).toFixed(0)} MiB (goal < 150 MiB); load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  // Both copies are whole: every tag at each destination names the source's digest.
  for (const tool of ['skopeo', 'gar'])
    for (const image of team)
      for (const tag of image.tags) {
        const head = await client.headManifest({
          registry: destination.host,
          repository: `${tool}/${image.repository}`,
          tag,
        });
        if (head?.digest !== image.digest)
          throw new Error(`${tool} left ${image.repository}:${tag} missing or wrong`);
      }
} finally {
  await client.close();
  await Promise.all([source.stop(), destination.stop()]);
  await rm(home, { recursive: true, force: true });
}
