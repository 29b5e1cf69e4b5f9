// `gar copy --recursive` between real registries: a no-auth CNCF distribution registry this test
// starts, the token-auth one of scripts/e2e-env.sh (credentials from Docker's config), and the
// emulator standing in for Artifact Registry. The built `gar` runs as a separate process, is
// killed with SIGKILL mid-run, and resumes. Run under `bash scripts/e2e-env.sh run -- …`.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { parseManifest, RegistryClient } from '@ar/registry';
import {
  type BuiltTreeImage,
  e2eEnv,
  type PlainRegistry,
  pushImageTree,
  runChecked,
  runCommand,
  standardTree,
  startPlainRegistry,
  tokenAdminClient,
} from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GAR = fileURLToPath(new URL('../../dist/gar.js', import.meta.url));
const env = e2eEnv();
const PROJECT = 'tree-e2e';
const AR = 'us-west1-docker.pkg.dev';
const MIRROR = `${AR}/${PROJECT}/dst/mirror`;

let plain: PlainRegistry;
let fixture: TestEmulator;
let tree: BuiltTreeImage[];
let team: BuiltTreeImage[];
let garEnv: NodeJS.ProcessEnv;
let registry: RegistryClient;
const emulatorRequests: Array<{ method: string; path: string }> = [];
const children = new Set<ChildProcess>();

interface ReportEntry {
  source: string;
  destination: string;
  digest: string;
  tags: string[];
  status: 'copied' | 'skipped' | 'failed';
  error?: { code: string };
}

beforeAll(async () => {
  plain = await startPlainRegistry();
  fixture = await startTestEmulator({
    project: PROJECT,
    repositories: ['dst'],
    log: (line) => emulatorRequests.push(line),
  });
  const work = fixture.work;
  const credential = await tokenAdminClient(env.tokenAdmin).allow({ kind: 'access_token' });
  const dockerDir = join(work, 'docker');
  mkdirSync(dockerDir);
  const auth = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
  writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: { [env.registry]: { auth } } }));
  writeFileSync(join(work, 'gar.json'), JSON.stringify(fixture.clientConfig()));
  garEnv = {
    PATH: process.env.PATH,
    HOME: work,
    GAR_CONFIG: join(work, 'gar.json'),
    GAR_ACCESS_TOKEN: fixture.token('test-admin'),
    DOCKER_CONFIG: dockerDir,
  };
  // The test's own reads and the tree's pushes: a client with the same credentials as gar.
  registry = new RegistryClient({
    registries: fixture.clientConfig().registries,
    credentials: async (host) => {
      if (host === AR) return { username: 'oauth2accesstoken', password: fixture.token('test-admin') };
      if (host === env.registry) return { username: credential.username, password: credential.password };
      return undefined;
    },
  });
  // Layers big enough that a run is still copying when the test kills it.
  tree = await pushImageTree(registry, plain.host, 'src', standardTree(), { layerBytes: 256 * 1024 });
  team = tree.filter((image) => image.repository.startsWith('team/'));
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await registry?.close();
  await fixture?.stop();
  await plain?.stop();
});

const gar = (...args: string[]) => runCommand(process.execPath, [GAR, ...args], { env: garEnv });

async function report(...args: string[]): Promise<ReportEntry[]> {
  const run = await gar(...args, '--format', 'json', '--no-progress');
  expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
  return JSON.parse(run.stdout) as ReportEntry[];
}

/** Blob upload requests (start or mount, chunk, end) the emulator received since `from`. */
const emulatorUploadsSince = (from: number) =>
  emulatorRequests.slice(from).filter((r) => r.path.includes('/blobs/uploads/') && r.method !== 'GET').length;

/** Every blob and child of a manifest is in `repository`: what a tag there must never lack. */
async function complete(
  repository: { registry: string; repository: string },
  digest: string,
): Promise<boolean> {
  const parsed = parseManifest(await registry.getManifest({ ...repository, digest }));
  if (parsed.kind === 'index') {
    for (const child of parsed.manifest.manifests)
      if (!(await complete(repository, child.digest))) return false;
    return true;
  }
  for (const blob of [parsed.manifest.config, ...parsed.manifest.layers])
    if ((await registry.headBlob(repository, blob.digest)) === undefined) return false;
  return true;
}

describe('gar copy --recursive', () => {
  it('resumes after kill -9: no tag names an incomplete image, the rerun finishes, a third run uploads nothing', async () => {
    const args = [
      'copy',
      '--recursive',
      `${plain.host}/src/team`,
      MIRROR,
      '--jobs',
      '2',
      '--max-concurrent-blobs',
      '2',
    ];
    const child = spawn(process.execPath, [GAR, ...args], {
      env: garEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Progress (not a terminal): a line per image copied. Kill on the third.
    let copied = 0;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`gar exited (${code}) before three images were copied`)));
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (line.startsWith('copied ') && ++copied === 3) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    children.delete(child);

    // Every tag at the destination names a complete image; some images are there, not all.
    let tagged = 0;
    for (const image of team) {
      const at = {
        registry: AR,
        repository: `${PROJECT}/dst/${image.repository.replace(/^team/, 'mirror')}`,
      };
      for (const tag of image.tags) {
        const head = await registry.headManifest({ ...at, tag });
        if (!head) continue;
        expect(head.digest).toBe(image.digest);
        expect(await complete(at, head.digest), `${at.repository}:${tag}`).toBe(true);
        tagged++;
      }
    }
    const allTags = team.reduce((sum, image) => sum + image.tags.length, 0);
    expect(tagged).toBeGreaterThan(0);
    expect(tagged).toBeLessThan(allTags);

    const resumed = await report(...args);
    expect(resumed).toHaveLength(team.length);
    expect(resumed.filter((entry) => entry.status === 'failed')).toEqual([]);
    expect(resumed.filter((entry) => entry.status === 'skipped').length).toBeGreaterThanOrEqual(3);
    for (const image of team) {
      const at = {
        registry: AR,
        repository: `${PROJECT}/dst/${image.repository.replace(/^team/, 'mirror')}`,
      };
      for (const tag of image.tags)
        expect((await registry.headManifest({ ...at, tag }))?.digest).toBe(image.digest);
    }
    // The repository outside the prefix is neither listed nor copied.
    expect(resumed.filter((entry) => entry.source.includes('/outside/'))).toEqual([]);

    const before = emulatorRequests.length;
    const third = await report(...args);
    expect(third.map((entry) => entry.status)).toEqual(team.map(() => 'skipped'));
    expect(emulatorUploadsSince(before)).toBe(0);
  }, 300_000);

  it('copies from Artifact Registry to a token-auth registry with Docker’s credentials; a rerun uploads nothing', async () => {
    // After the first test, the emulator holds the tree under dst/mirror.
    const first = await report('copy', '-r', MIRROR, `${env.registry}/from-ar`);
    expect(first.map((entry) => entry.status)).toEqual(team.map(() => 'copied'));
    const multi = team.find((image) => image.platforms)!;
    const at = { registry: env.registry, repository: 'from-ar/multi' };
    expect((await registry.headManifest({ ...at, tag: multi.tags[0]! }))?.digest).toBe(multi.digest);
    expect(await complete(at, multi.digest)).toBe(true);

    const rerun = await gar('copy', '-r', MIRROR, `${env.registry}/from-ar`, '--verbose', '--no-progress');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`Copied 0, skipped ${team.length}, failed 0`);
    const uploads = rerun.stderr
      .split('\n')
      .filter((line) => /^> (POST|PUT|PATCH) .*\/blobs\/uploads\//.test(line));
    expect(uploads).toEqual([]);
  }, 300_000);

  it('copies from the token-auth registry (its catalog) to the no-auth one', async () => {
    // After the test above, the token-auth registry holds the tree under from-ar.
    const copied = await report('copy', '-r', `${env.registry}/from-ar`, `${plain.host}/from-token`);
    expect(copied.map((entry) => entry.status)).toEqual(team.map(() => 'copied'));
    for (const image of team) {
      const at = { registry: plain.host, repository: image.repository.replace(/^team/, 'from-token') };
      for (const tag of image.tags)
        expect((await registry.headManifest({ ...at, tag }))?.digest).toBe(image.digest);
      expect(await complete(at, image.digest)).toBe(true);
    }

    // skopeo, not ours, agrees: every tag's raw manifest hashes to the source digest, and it copies
    // the multi-platform index out whole (every platform, every blob checked against its digest).
    const skopeo = (...args: string[]) =>
      runChecked('skopeo', ['--insecure-policy', ...args], { timeoutMs: 120_000 });
    for (const image of team) {
      const repository = image.repository.replace(/^team/, 'from-token');
      for (const tag of image.tags) {
        const raw = await skopeo(
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${plain.host}/${repository}:${tag}`,
        );
        expect(
          `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`,
          `${repository}:${tag}`,
        ).toBe(image.digest);
      }
    }
    const multi = team.find((image) => image.platforms)!;
    const source = `docker://${plain.host}/${multi.repository.replace(/^team/, 'from-token')}:${multi.tags[0]}`;
    await skopeo(
      'copy',
      '--all',
      '--src-tls-verify=false',
      source,
      `oci:${join(fixture.work, 'skopeo-multi')}`,
    );
  }, 300_000);

  it('prints the plan in a dry run and writes nothing', async () => {
    const before = plain.requests.length;
    const run = await gar('copy', '--recursive', '--dry-run', MIRROR, `${plain.host}/dry`, '--no-progress');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('copy ')).length).toBe(team.length);
    expect(lines.at(-1)).toContain(`would copy ${team.length} and skip 0 of ${team.length} images`);
    const writes = plain.requests.slice(before).filter((r) => !['GET', 'HEAD'].includes(r.method));
    expect(writes).toEqual([]);
  }, 120_000);

  it('copies one image from a plain registry into Artifact Registry, named as Docker names it', async () => {
    const outside = tree.find((image) => image.repository === 'outside/app')!;
    const run = await gar(
      'copy',
      `${plain.host}/src/outside/app:1`,
      `${AR}/${PROJECT}/dst/imported/app:1`,
      '--no-progress',
    );
    expect(run.code, run.stderr).toBe(0);
    const head = await registry.headManifest({
      registry: AR,
      repository: `${PROJECT}/dst/imported/app`,
      tag: '1',
    });
    expect(head?.digest).toBe(outside.digest);
  }, 120_000);
});
