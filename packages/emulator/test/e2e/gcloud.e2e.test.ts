import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithGcloud, runCommand } from '@ar/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { ADMIN, standardSeed, WRITER } from '../../src/testing/fixture.js';
import { makeImage, RegistryClient, type TestImage } from '../../src/testing/registry-client.js';

/**
 * gcloud (528) against the emulator: the REST methods behind `gcloud artifacts docker`, `versions`,
 * `packages` and `repositories`. gcloud is not a Debian package: it is on some machines of this
 * kind, not all: `describeWithGcloud` registers the checks where it is, and elsewhere prints one
 * loud line saying how many did not run.
 */

const HOST = 'us-central1-docker.pkg.dev/my-project/repo';
const REPO = 'projects/my-project/locations/us-central1/repositories/repo';
const WHERE = ['--project=my-project', '--location=us-central1', '--repository=repo'];

let emulator: Emulator;
let work: string;
let env: NodeJS.ProcessEnv;
let ownerTokenFile: string;
let writer: RegistryClient;
const a = makeImage();
const b = makeImage();

async function gcloud(args: string[], options: { owner?: boolean } = {}): Promise<string> {
  const auth = options.owner === false ? [] : [`--access-token-file=${ownerTokenFile}`];
  const result = await runCommand('gcloud', [...args, ...auth], { env, timeoutMs: 120_000 });
  if (result.code !== 0)
    throw new Error(`gcloud ${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

// biome-ignore lint/suspicious/noExplicitAny: gcloud's JSON, checked field by field
async function gcloudJson(args: string[]): Promise<any> {
  return JSON.parse(await gcloud([...args, '--format=json']));
}

async function digestOf(image: string, reference: string): Promise<string | null> {
  const head = await writer.request(`/v2/my-project/repo/${image}/manifests/${reference}`, {
    method: 'HEAD',
  });
  return head.status === 200 ? head.headers.get('docker-content-digest') : null;
}

async function push(image: string, built: TestImage, tag: string): Promise<void> {
  expect((await writer.pushImage(`my-project/repo/${image}`, built, tag)).status).toBe(201);
}

const checks: Array<[name: string, check: () => Promise<void>]> = [
  [
    'activates a key the emulator made (auth/token_host) and lists tags and images',
    async () => {
      const keyPath = join(work, 'key.json');
      await writeFile(keyPath, JSON.stringify(emulator.seeded.serviceAccountKeys[WRITER]![0]));
      await gcloud(['auth', 'activate-service-account', `--key-file=${keyPath}`], { owner: false });
      const tags = JSON.parse(
        await gcloud(['artifacts', 'docker', 'tags', 'list', `${HOST}/hello`, '--format=json'], {
          owner: false,
        }),
      );
      expect(tags).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            tag: `${REPO}/packages/hello/tags/v1`,
            version: `${REPO}/packages/hello/versions/${a.digest}`,
          }),
          expect.objectContaining({
            tag: `${REPO}/packages/hello/tags/v2`,
            version: `${REPO}/packages/hello/versions/${b.digest}`,
          }),
        ]),
      );
      const images = JSON.parse(
        await gcloud(['artifacts', 'docker', 'images', 'list', HOST, '--include-tags', '--format=json'], {
          owner: false,
        }),
      );
      expect(images).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ version: a.digest, tags: ['v1'] }),
          expect.objectContaining({ version: b.digest, tags: ['v2'] }),
        ]),
      );
    },
  ],
  [
    'lists repositories of a project in every location (v1beta2 locations), and describes one',
    async () => {
      const repositories = await gcloudJson(['artifacts', 'repositories', 'list', '--project=my-project']);
      expect(repositories.map((repo: { name: string }) => repo.name)).toEqual(
        expect.arrayContaining([REPO, 'projects/my-project/locations/us-central1/repositories/frozen']),
      );
      const described = await gcloudJson([
        'artifacts',
        'repositories',
        'describe',
        'repo',
        '--project=my-project',
        '--location=us-central1',
      ]);
      expect(described).toMatchObject({ name: REPO, format: 'DOCKER' });
    },
  ],
  [
    'lists the versions of one image with their tags (docker images list IMAGE)',
    async () => {
      const images = await gcloudJson([
        'artifacts',
        'docker',
        'images',
        'list',
        `${HOST}/hello`,
        '--include-tags',
      ]);
      expect(images).toHaveLength(2);
      expect(images).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ package: `${HOST}/hello`, version: a.digest, tags: ['v1'] }),
          expect.objectContaining({ package: `${HOST}/hello`, version: b.digest, tags: ['v2'] }),
        ]),
      );
    },
  ],
  [
    'describes an image by tag and by digest (Service Usage answers for containeranalysis)',
    async () => {
      const byTag = await gcloudJson(['artifacts', 'docker', 'images', 'describe', `${HOST}/hello:v2`]);
      expect(byTag.image_summary).toMatchObject({
        digest: b.digest,
        fully_qualified_digest: `${HOST}/hello@${b.digest}`,
        repository: 'repo',
      });
      const byDigest = await gcloudJson([
        'artifacts',
        'docker',
        'images',
        'describe',
        `${HOST}/hello@${a.digest}`,
      ]);
      expect(byDigest.image_summary.digest).toBe(a.digest);
      const missing = await gcloud([
        'artifacts',
        'docker',
        'images',
        'describe',
        `${HOST}/hello:absent`,
      ]).catch((error: Error) => error.message);
      expect(missing).toContain('Image not found');
    },
  ],
  [
    'adds a tag to a digest, moves it, and deletes it (docker tags add/delete)',
    async () => {
      await gcloud(['artifacts', 'docker', 'tags', 'add', `${HOST}/hello@${b.digest}`, `${HOST}/hello:next`]);
      expect(await digestOf('hello', 'next')).toBe(b.digest);
      await gcloud(['artifacts', 'docker', 'tags', 'add', `${HOST}/hello:v1`, `${HOST}/hello:next`]);
      expect(await digestOf('hello', 'next')).toBe(a.digest);
      await gcloud(['artifacts', 'docker', 'tags', 'delete', `${HOST}/hello:next`, '--quiet']);
      expect(await digestOf('hello', 'next')).toBeNull();
      expect(await digestOf('hello', 'v1')).toBe(a.digest);
    },
  ],
  [
    'deletes one of two tagged digests with --delete-tags and leaves the other and its tag alone',
    async () => {
      await gcloud([
        'artifacts',
        'docker',
        'images',
        'delete',
        `${HOST}/hello:v1`,
        '--delete-tags',
        '--quiet',
      ]);
      expect(await digestOf('hello', 'v1')).toBeNull();
      expect(await digestOf('hello', a.digest)).toBeNull();
      expect(await digestOf('hello', 'v2')).toBe(b.digest);
      const tags = await gcloudJson(['artifacts', 'docker', 'tags', 'list', `${HOST}/hello`]);
      expect(tags.map((tag: { tag: string }) => tag.tag)).toEqual([`${REPO}/packages/hello/tags/v2`]);
    },
  ],
  [
    'lists, describes and deletes versions (artifacts versions)',
    async () => {
      const versions = await gcloudJson(['artifacts', 'versions', 'list', '--package=hello', ...WHERE]);
      expect(versions.map((version: { name: string }) => version.name)).toEqual([
        `${REPO}/packages/hello/versions/${b.digest}`,
      ]);
      const described = await gcloudJson([
        'artifacts',
        'versions',
        'describe',
        b.digest,
        '--package=hello',
        ...WHERE,
      ]);
      expect(described.name).toBe(`${REPO}/packages/hello/versions/${b.digest}`);
      const refused = await gcloud([
        'artifacts',
        'versions',
        'delete',
        b.digest,
        '--package=hello',
        '--quiet',
        ...WHERE,
      ]).catch((error: Error) => error.message);
      expect(refused).toContain('FAILED_PRECONDITION');
      expect(await digestOf('hello', 'v2')).toBe(b.digest);
      await gcloud([
        'artifacts',
        'versions',
        'delete',
        b.digest,
        '--package=hello',
        '--delete-tags',
        '--quiet',
        ...WHERE,
      ]);
      expect(await digestOf('hello', b.digest)).toBeNull();
      expect(await digestOf('hello', 'v2')).toBeNull();
    },
  ],
  [
    'lists, describes and deletes packages (artifacts packages)',
    async () => {
      const other = makeImage();
      await push('lib/tool', other, 'v1');
      const packages = await gcloudJson(['artifacts', 'packages', 'list', ...WHERE]);
      // gcloud shows package names decoded in lists, as AR names them in describe.
      expect(packages.map((pkg: { name: string }) => pkg.name)).toContain('lib/tool');
      const described = await gcloudJson(['artifacts', 'packages', 'describe', 'lib/tool', ...WHERE]);
      expect(described.name).toBe(`${REPO}/packages/lib%2Ftool`);
      await gcloud(['artifacts', 'packages', 'delete', 'lib/tool', '--quiet', ...WHERE]);
      expect(await digestOf('lib/tool', 'v1')).toBeNull();
      const after = await gcloudJson(['artifacts', 'packages', 'list', ...WHERE]);
      expect(after.map((pkg: { name: string }) => pkg.name)).not.toContain('lib/tool');
    },
  ],
  [
    'creates and describes a repository with an owner access token',
    async () => {
      const common = ['--project=my-project', '--location=us-central1'];
      await gcloud([
        'artifacts',
        'repositories',
        'create',
        'from-gcloud',
        '--repository-format=docker',
        '--immutable-tags',
        ...common,
      ]);
      const described = await gcloudJson(['artifacts', 'repositories', 'describe', 'from-gcloud', ...common]);
      expect(described).toMatchObject({ format: 'DOCKER', dockerConfig: { immutableTags: true } });
    },
  ],
];

describeWithGcloud('gcloud artifacts against the emulator', checks.length, () => {
  beforeAll(async () => {
    emulator = await startEmulator({ seed: standardSeed() });
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-gcloud-'));
    ownerTokenFile = join(work, 'owner-token');
    await writeFile(ownerTokenFile, emulator.mintAccessToken(`user:${ADMIN}`).accessToken);
    env = {
      ...process.env,
      CLOUDSDK_CONFIG: join(work, 'gcloud'),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emulator.url()}/`,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE: `${emulator.url()}/`,
      CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
    };
    writer = new RegistryClient(emulator.url(), {
      username: 'oauth2accesstoken',
      password: emulator.mintAccessToken(WRITER).accessToken,
    });
    await push('hello', a, 'v1');
    await push('hello', b, 'v2');
  });
  afterAll(async () => {
    await emulator?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  for (const [name, check] of checks) it(name, check, 180_000);
});
