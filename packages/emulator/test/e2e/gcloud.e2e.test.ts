import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runCommand } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { ADMIN, standardSeed, WRITER } from '../../src/testing/fixture.js';
import { makeImage, RegistryClient } from '../../src/testing/registry-client.js';

/** Google's gcloud is on some machines of this kind, not all: an interop check when present. */
const gcloudPresent = (process.env.PATH ?? '')
  .split(delimiter)
  .some((dir) => existsSync(join(dir, 'gcloud')));

describe.runIf(gcloudPresent)('gcloud artifacts against the emulator', () => {
  let emulator: Emulator;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const image = makeImage();

  beforeAll(async () => {
    emulator = await startEmulator({ seed: standardSeed() });
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-gcloud-'));
    env = {
      ...process.env,
      CLOUDSDK_CONFIG: join(work, 'gcloud'),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emulator.url()}/`,
      CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
    };
    const writer = new RegistryClient(emulator.url(), {
      username: 'oauth2accesstoken',
      password: emulator.mintAccessToken(WRITER).accessToken,
    });
    expect((await writer.pushImage('my-project/repo/hello', image, 'v1')).status).toBe(201);
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const gcloud = async (args: string[]) => {
    const result = await runCommand('gcloud', args, { env, timeoutMs: 120_000 });
    if (result.code !== 0)
      throw new Error(`gcloud ${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
    return result.stdout;
  };

  it('activates a key the emulator made (auth/token_host) and lists tags and images', async () => {
    const keyPath = join(work, 'key.json');
    await writeFile(keyPath, JSON.stringify(emulator.seeded.serviceAccountKeys[WRITER]![0]));
    await gcloud(['auth', 'activate-service-account', `--key-file=${keyPath}`]);
    const tags = await gcloud([
      'artifacts',
      'docker',
      'tags',
      'list',
      'us-central1-docker.pkg.dev/my-project/repo/hello',
      '--format=json',
    ]);
    expect(JSON.parse(tags)).toEqual([
      expect.objectContaining({
        tag: 'projects/my-project/locations/us-central1/repositories/repo/packages/hello/tags/v1',
        version: `projects/my-project/locations/us-central1/repositories/repo/packages/hello/versions/${image.digest}`,
      }),
    ]);
    const images = await gcloud([
      'artifacts',
      'docker',
      'images',
      'list',
      'us-central1-docker.pkg.dev/my-project/repo',
      '--include-tags',
      '--format=json',
    ]);
    expect(JSON.parse(images)).toEqual([expect.objectContaining({ version: image.digest, tags: ['v1'] })]);
  });

  it('creates and describes a repository with an owner access token', async () => {
    const tokenFile = join(work, 'owner-token');
    await writeFile(tokenFile, emulator.mintAccessToken(`user:${ADMIN}`).accessToken);
    const common = ['--project=my-project', '--location=us-central1', `--access-token-file=${tokenFile}`];
    await gcloud([
      'artifacts',
      'repositories',
      'create',
      'from-gcloud',
      '--repository-format=docker',
      '--immutable-tags',
      ...common,
    ]);
    const described = JSON.parse(
      await gcloud(['artifacts', 'repositories', 'describe', 'from-gcloud', '--format=json', ...common]),
    );
    expect(described).toMatchObject({ format: 'DOCKER', dockerConfig: { immutableTags: true } });
  });
});
