// Engine push vs direct push, engine pull vs registry pull + load, of a 1 GiB image (8 layers of
// 128 MiB random data) between the private dockerd of scripts/e2e-env.sh and its token-auth
// distribution registry. One run of each; after a build:
//   bash scripts/e2e-env.sh run -- npm run bench -w @ar/core
// AR_BENCH_LAYERS / AR_BENCH_LAYER_MIB change the image; AR_BENCH_HOST picks another engine.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth } from '@ar/auth';
import { resolveConfig } from '@ar/config';
import { DockerodeEngine, resolveEngineConnection } from '@ar/docker';
import { copy, parseImageRef, RegistryClient } from '@ar/registry';
import { e2eEnv, tokenAdminClient, writeOciLayoutImage } from '@ar/test-support';
import { engineOps } from '../dist/engine.js';

const LAYERS = Number(process.env.AR_BENCH_LAYERS ?? 8);
const LAYER_BYTES = Number(process.env.AR_BENCH_LAYER_MIB ?? 128) * 1024 * 1024;

const env = e2eEnv();
const host = process.env.AR_BENCH_HOST ?? env.dockerHost;
const work = await mkdtemp(join(tmpdir(), 'ar-docker-bench-'));
const mib = (bytes) => bytes / 1024 / 1024;

async function timed(name, fn) {
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  console.error(`  ${name}: ${(ms / 1000).toFixed(2)} s`);
  return { ms, result };
}

try {
  const admin = tokenAdminClient(env.tokenAdmin);
  const writer = await admin.allow({ kind: 'access_token', subject: 'docker-bench' });
  const dockerDir = join(work, '.docker');
  await mkdir(dockerDir);
  const login = Buffer.from(`${writer.username}:${writer.password}`).toString('base64');
  await writeFile(
    join(dockerDir, 'config.json'),
    JSON.stringify({ auths: { [env.registry]: { auth: login } } }),
  );
  const { config } = resolveConfig({
    env: {},
    configFile: false,
    homeDir: work,
    overrides: { docker: { host } },
  });
  const auth = createAuth(config);
  const registry = RegistryClient.fromConfig(config, { credentials: auth.registryCredential });
  const engine = new DockerodeEngine(resolveEngineConnection(config.docker));
  const flows = engineOps({ engine, registry, credentials: auth.registryCredential, tempDir: work });

  console.error(`building a ${LAYERS} × ${mib(LAYER_BYTES)} MiB image and loading it into ${host}`);
  const layout = join(work, 'layout');
  const built = await writeOciLayoutImage(layout, {
    layerSizes: Array(LAYERS).fill(LAYER_BYTES),
    format: 'docker',
    tag: 'bench',
  });
  const tarPath = join(work, 'seed.tar');
  await copy(registry, `oci:${layout}:bench`, `docker-archive:${tarPath}`);
  const loaded = await engine.loadImage(createReadStream(tarPath));
  await rm(tarPath);
  await rm(layout, { recursive: true });
  const imageId =
    loaded.images.find((i) => i.startsWith('sha256:')) ?? (await engine.inspectImage(loaded.images[0])).id;
  const engineRef = parseImageRef(`${env.registry}/bench/engine:1`);
  const directRef = parseImageRef(`${env.registry}/bench/direct:1`);

  console.error('measuring (one run each)');
  const rows = [];
  const add = (operation, path, { ms }) =>
    rows.push({ operation, path, seconds: ms / 1000, mibps: mib(built.totalBytes) / (ms / 1000) });
  add('push', 'engine (`docker push`)', await timed('engine push', () => flows.push(imageId, engineRef)));
  add(
    'push',
    'direct (`docker save` → @ar/registry)',
    await timed('direct push', () => flows.push(imageId, directRef, { via: 'direct' })),
  );
  await engine.removeImage(imageId, { force: true });
  add('pull', 'engine (`docker pull`)', await timed('engine pull', () => flows.pull(engineRef)));
  await engine.removeImage(imageId, { force: true });
  add(
    'pull',
    'registry (@ar/registry → `docker load`)',
    await timed('registry pull', () => flows.pull(directRef, { via: 'registry' })),
  );
  await engine.removeImage(imageId, { force: true });
  await Promise.all([registry.close(), engine.close()]);

  const info = `${LAYERS} × ${mib(LAYER_BYTES)} MiB layers, ${mib(built.totalBytes).toFixed(0)} MiB`;
  console.log(`\n${info}\n`);
  console.log('| operation | path | wall time | throughput |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows)
    console.log(`| ${r.operation} | ${r.path} | ${r.seconds.toFixed(2)} s | ${r.mibps.toFixed(0)} MiB/s |`);
} finally {
  await rm(work, { recursive: true, force: true });
}
