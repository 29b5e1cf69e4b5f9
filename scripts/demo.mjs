#!/usr/bin/env node
// The main job on an embedded emulator: no Docker engine, no Google account.
// `npm run demo` builds gar, then runs this. Everything it starts, it stops; everything it writes
// is under one temp directory, removed at the end.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const GAR = fileURLToPath(new URL('../apps/cli/dist/gar.js', import.meta.url));
const PROJECT = 'demo-project';
const HOST = 'us-central1-docker.pkg.dev';
const REPO = `${HOST}/${PROJECT}/demo-repo`;
const work = mkdtempSync(join(tmpdir(), 'gar-demo-'));
const step = (text) => console.log(`\n\u001b[1m==> ${text}\u001b[0m`);

/** Runs gar as a user would, echoing the command and its output. */
function gar(args, env, { expectStatus = 0 } = {}) {
  console.log(`$ gar ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GAR, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stdout.write(chunk));
    child.on('error', reject);
    child.on('close', (status) =>
      status === expectStatus
        ? resolve(stdout)
        : reject(new Error(`gar ${args[0]} exited ${status}, expected ${expectStatus}`)),
    );
  });
}

/** A one-layer image as an OCI layout folder, built in code: blobs, manifest, index.json. */
function buildImage(dir, message) {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes) => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const tar = Buffer.alloc(1536);
  const body = Buffer.from(`${message}\n${randomBytes(8).toString('hex')}\n`);
  tar.write('hello.txt', 0);
  tar.write('0000644\0', 100);
  tar.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  tar.write('00000000000\0', 136);
  tar.write('ustar\u000000', 257);
  tar.write('        ', 148);
  let sum = 0;
  for (const byte of tar.subarray(0, 512)) sum += byte;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  body.copy(tar, 512);
  const layer = put(gzipSync(tar));
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [`sha256:${createHash('sha256').update(tar).digest('hex')}`] },
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
    }),
  );
  return manifest.digest;
}

async function startEmulator(env) {
  const seed = join(work, 'seed.json');
  writeFileSync(
    seed,
    JSON.stringify({
      projects: [
        {
          id: PROJECT,
          serviceAccounts: [{ id: 'ci-pusher', keyFile: 'ci-pusher-key.json' }],
          repositories: [
            {
              id: 'demo-repo',
              location: 'us-central1',
              immutableTags: true,
              iam: [
                {
                  role: 'roles/artifactregistry.writer',
                  members: [`serviceAccount:ci-pusher@${PROJECT}.iam.gserviceaccount.com`],
                },
              ],
            },
          ],
        },
      ],
    }),
  );
  const garConfig = join(work, 'gar-config.json');
  const args = [
    'emulator',
    'start',
    '--seed',
    seed,
    '--data-dir',
    join(work, 'data'),
    '--write-config',
    garConfig,
  ];
  console.log(`$ gar ${args.join(' ')}`);
  const child = spawn(process.execPath, [GAR, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const ready = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Press Ctrl-C to stop.')) resolve(output);
    });
    child.on('exit', (status) =>
      reject(new Error(`the emulator exited (${status}) before it was ready:\n${output}`)),
    );
  });
  process.stdout.write(ready.replace(/^/gm, '  '));
  return { child, garConfig };
}

let emulator;
try {
  const base = { PATH: process.env.PATH, HOME: work, NO_COLOR: '1' };
  step(
    'Start a local Artifact Registry (the emulator), seeded with a project, a repository with immutable tags and a service account with writer access',
  );
  emulator = await startEmulator(base);

  // What the banner says to do: the config the emulator wrote (endpoints, the host it stands in
  // for, the seeded key), plus the defaults this demo works in.
  const env = {
    ...base,
    GAR_CONFIG: emulator.garConfig,
    GAR_PROJECT: PROJECT,
    GAR_LOCATION: 'us-central1',
    GAR_REPOSITORY: 'demo-repo',
    DOCKER_CONFIG: join(work, 'docker'),
  };

  step('Configure a throwaway Docker config to use docker-credential-gar for the registry host');
  await gar(['auth', 'configure-docker', HOST], env);
  console.log(readFileSync(join(work, 'docker', 'config.json'), 'utf8'));

  step('Which credentials answer: the service-account key, exchanged at the emulator’s OAuth endpoint');
  await gar(['auth', 'status'], env);

  step('Build a small image as an OCI layout, in code');
  const layout = join(work, 'hello-layout');
  const built = buildImage(layout, 'hello from gar');
  console.log(`built ${layout}, manifest ${built}`);

  step('Push it (blobs first, monolithic uploads, the tag last)');
  await gar(['push', `oci:${layout}`, `${REPO}/hello:1.0`, '--no-progress'], env);

  step('List the repository with tags, as `gcloud artifacts docker images list --include-tags` does');
  await gar(['images', 'list', REPO, '--include-tags'], env);

  step('Pull it back to a folder; every digest is verified before anything is written');
  const pulledDir = join(work, 'pulled');
  await gar(['pull', `${REPO}/hello:1.0`, '--to', `oci:${pulledDir}`, '--no-progress'], env);
  const pulled = JSON.parse(readFileSync(join(pulledDir, 'index.json'), 'utf8')).manifests[0].digest;
  if (pulled !== built) throw new Error(`pulled ${pulled}, pushed ${built}`);
  console.log(`digest verified: pulled ${pulled} == pushed ${built}`);

  step('Push a different image under the same tag: the repository has immutable tags, so it is refused');
  const other = join(work, 'other-layout');
  buildImage(other, 'a different image');
  await gar(['push', `oci:${other}`, `${REPO}/hello:1.0`, '--no-progress'], env, { expectStatus: 6 });
  console.log('(exit status 6: conflict — the tag still points to the first image)');

  step('Done');
} catch (error) {
  console.error(`\ndemo failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (emulator) {
    emulator.child.kill('SIGTERM');
    await new Promise((resolve) => emulator.child.once('exit', resolve));
    console.log('emulator stopped');
  }
  rmSync(work, { recursive: true, force: true });
}
