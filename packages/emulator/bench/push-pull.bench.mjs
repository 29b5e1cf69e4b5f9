#!/usr/bin/env node
// Push and pull of a 512 MiB image in 4 layers with skopeo, against the emulator (built bin)
// and against the CNCF distribution registry of the e2e env, same data, one run each.
// Run through the e2e env:  bash scripts/e2e-env.sh run -- npm run bench -w @ar/emulator
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS = 4;
const LAYER_BYTES = 128 * 1024 * 1024;
const TOTAL = LAYERS * LAYER_BYTES;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

for (const name of ['AR_E2E_REGISTRY', 'AR_E2E_TOKEN_ADMIN']) {
  if (!process.env[name]) {
    console.error(
      `${name} is not set: run the benchmark through scripts/e2e-env.sh (see the header of this file).`,
    );
    process.exit(2);
  }
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${command} ${args.filter((arg) => !arg.includes('oauth2accesstoken:')).join(' ')}: ${code}\n${stderr}`,
            ),
          ),
    );
  });
}

async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** An OCI layout with LAYERS random layers, written in 1 MiB pieces (never held whole). */
async function makeLayout(dir) {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const layers = [];
  for (let i = 0; i < LAYERS; i++) {
    const temp = join(dir, `layer-${i}`);
    const out = createWriteStream(temp);
    const hash = createHash('sha256');
    for (let written = 0; written < LAYER_BYTES; written += 1 << 20) {
      const piece = randomBytes(1 << 20);
      hash.update(piece);
      if (!out.write(piece)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const hex = hash.digest('hex');
    await (await import('node:fs/promises')).rename(temp, join(dir, 'blobs', 'sha256', hex));
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: `sha256:${hex}`,
      size: LAYER_BYTES,
    });
  }
  const put = async (text) => {
    const hex = createHash('sha256').update(text).digest('hex');
    await writeFile(join(dir, 'blobs', 'sha256', hex), text);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(text) };
  };
  const config = await put(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const manifest = await put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers,
    }),
  );
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'bench' },
        },
      ],
    }),
  );
}

async function measure(name, reference, creds, work) {
  const out = join(work, `pulled-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  const push = await timed(() =>
    run('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${join(work, 'layout')}:bench`,
      `docker://${reference}`,
    ]),
  );
  const pull = await timed(() =>
    run('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds,
      `docker://${reference}`,
      `oci:${out}:bench`,
    ]),
  );
  await rm(out, { recursive: true, force: true });
  return {
    name,
    pushSeconds: push,
    pullSeconds: pull,
    pushMiBs: TOTAL / 2 ** 20 / push,
    pullMiBs: TOTAL / 2 ** 20 / pull,
  };
}

async function startEmulatorBin(work) {
  const seed = join(work, 'seed.json');
  await writeFile(
    seed,
    JSON.stringify({
      projects: [
        {
          id: 'bench-project',
          iam: [{ role: 'roles/owner', members: ['user:bench@example.com'] }],
          repositories: [{ id: 'bench', location: 'us-central1' }],
        },
      ],
      users: [{ email: 'bench@example.com', credentialsFile: 'bench-user.json' }],
    }),
  );
  const ready = join(work, 'ready.json');
  const child = spawn(
    process.execPath,
    [CLI, 'start', '--data-dir', join(work, 'emulator-data'), '--seed', seed, '--ready-file', ready],
    {
      stdio: 'ignore',
    },
  );
  for (;;) {
    const text = await readFile(ready, 'utf8').catch(() => undefined);
    if (text) return { child, ...JSON.parse(text) };
    if (child.exitCode !== null) throw new Error('gar-emulator exited while starting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function peakRss(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

const work = await mkdtemp(join(tmpdir(), 'ar-emulator-bench-'));
try {
  process.stderr.write(`writing a ${TOTAL / 2 ** 20} MiB image in ${LAYERS} layers...\n`);
  await makeLayout(join(work, 'layout'));

  const admin = process.env.AR_E2E_TOKEN_ADMIN;
  const allowed = await (
    await fetch(`${admin}/credentials`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"kind":"access_token"}',
    })
  ).json();
  process.stderr.write('distribution registry...\n');
  const distribution = await measure(
    'distribution registry 2.8',
    `${process.env.AR_E2E_REGISTRY}/bench/image:1`,
    `oauth2accesstoken:${allowed.token}`,
    work,
  );

  const emulator = await startEmulatorBin(work);
  try {
    const { url } = emulator;
    // The seed wrote the owner's user credentials; trade the refresh token for an access token.
    const user = JSON.parse(await readFile(join(work, 'bench-user.json'), 'utf8'));
    const response = await fetch(emulator.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: user.refresh_token,
        client_id: user.client_id,
        client_secret: user.client_secret,
      }),
    });
    const token = (await response.json()).access_token;
    process.stderr.write('emulator...\n');
    const result = await measure(
      '@ar/emulator',
      `${new URL(url).host}/bench-project/bench/image:1`,
      `oauth2accesstoken:${token}`,
      work,
    );
    const peak = await peakRss(emulator.child.pid);
    const rows = [distribution, result];
    console.log('| registry | push MiB/s | pull MiB/s | push s | pull s |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) {
      console.log(
        `| ${row.name} | ${row.pushMiBs.toFixed(1)} | ${row.pullMiBs.toFixed(1)} | ${row.pushSeconds.toFixed(2)} | ${row.pullSeconds.toFixed(2)} |`,
      );
    }
    console.log('');
    console.log(
      `emulator/distribution: push ${(result.pushMiBs / distribution.pushMiBs).toFixed(2)}x, pull ${(result.pullMiBs / distribution.pullMiBs).toFixed(2)}x`,
    );
    console.log(`emulator peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB (image ${TOTAL / 2 ** 20} MiB)`);
  } finally {
    emulator.child.kill('SIGTERM');
    await once(emulator.child, 'exit');
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
