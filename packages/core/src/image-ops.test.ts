// push / pull / copy / tag / describe / delete / resolve through the facade, against the emulator
// standing in for us-west1-docker.pkg.dev (an endpoint override, as users point gar at it).
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { promotionRepositories, startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { isArError } from '@ar/errors';
import { writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArClient, createClient } from './client.js';

const PROJECT = 'ops-tests';
const HOST = 'us-west1-docker.pkg.dev';
const repo = (id: string) => `projects/${PROJECT}/locations/us-west1/repositories/${id}`;
let fixture: TestEmulator;
let client: ArClient;
let work: string;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'ci-pusher': 'roles/artifactregistry.admin' },
    repositories: promotionRepositories(),
  });
  work = fixture.work;
  const { config } = resolveConfig({
    ...fixture.isolatedUser,
    overrides: { ...fixture.clientConfig('ci-pusher'), repository: 'dev' },
  });
  client = createClient(config);
});
afterAll(async () => {
  await client?.close();
  await fixture?.stop();
});

async function layout(name: string, options: Parameters<typeof writeOciLayoutImage>[1] = {}) {
  const dir = join(work, name);
  return { dir, built: await writeOciLayoutImage(dir, { layerSizes: [4096, 2048], ...options }) };
}

describe('images through the facade', () => {
  it('pushes an OCI layout under a short name, describes it, pulls it back byte for byte', async () => {
    const { dir, built } = await layout('app');
    const pushed = await client.push(`oci:${dir}`, 'app:1.0');
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    const described = await client.images.describe(`${HOST}/${PROJECT}/dev/app:1.0`);
    expect(described).toMatchObject({ digest: built.root.digest, tags: ['1.0'], platforms: [] });
    expect(described.sizeBytes).toBeGreaterThan(6144);
    const pulled = await client.pull('app:1.0', `oci:${join(work, 'pulled')}`);
    expect(pulled.images[0]?.digest).toBe(built.root.digest);
  });

  it('copies a multi-platform index to another repository, and tags in the registry without pulling', async () => {
    const { dir, built } = await layout('multi', {
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
    });
    await client.push(`oci:${dir}`, 'multi:1');
    await client.copy(`${HOST}/${PROJECT}/dev/multi:1`, `${HOST}/${PROJECT}/prod/multi:1`);
    await client.tag(`${HOST}/${PROJECT}/prod/multi:1`, `${HOST}/${PROJECT}/prod/multi:stable`);
    const described = await client.images.describe(`${HOST}/${PROJECT}/prod/multi:stable`);
    expect(described.digest).toBe(built.root.digest);
    expect(described.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect([...described.tags].sort()).toEqual(['1', 'stable']);
  });

  it('refuses to move an immutable tag, naming the digest it holds', async () => {
    const { dir } = await layout('other');
    const error = await client.push(`oci:${dir}`, `${HOST}/${PROJECT}/prod/multi:1`).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_TAG_IMMUTABLE')).toBe(true);
    expect((error as Error).message).toContain('"1"');
  });

  it('deletes a tag by name, and a tagged version only with deleteTags', async () => {
    const { dir, built } = await layout('doomed');
    await client.push(`oci:${dir}`, 'doomed:a');
    await client.tag('doomed:a', 'doomed:b');
    await client.images.delete('doomed:b');
    expect((await client.images.describe('doomed:a')).tags).toEqual(['a']);
    const refused = await client.images.delete(`doomed@${built.root.digest}`).catch((e: unknown) => e);
    expect(isArError(refused, 'AR_CORE_IMAGE_TAGGED')).toBe(true);
    expect(await client.images.delete(`doomed@${built.root.digest}`, { deleteTags: true })).toEqual({
      digest: built.root.digest,
      deletedTags: ['a'],
    });
    const gone = await client.images.describe('doomed:a').catch((e: unknown) => e);
    expect(isArError(gone, 'AR_REGISTRY_MANIFEST_NOT_FOUND')).toBe(true);
  });

  it('tells which upstream of a virtual repository serves an image, and why', async () => {
    const { dir, built } = await layout('shared');
    await client.push(`oci:${dir}`, `${HOST}/${PROJECT}/mirror-b/shared:1`);
    const onlyB = await client.images.resolve(`${HOST}/${PROJECT}/all/shared:1`);
    expect(onlyB).toMatchObject({ servedBy: repo('mirror-b'), digest: built.root.digest });
    expect(onlyB.reason).toBe(
      'priority 80 is the highest among upstreams that hold the image; higher-priority a do not hold it',
    );
    await client.copy(`${HOST}/${PROJECT}/mirror-b/shared:1`, `${HOST}/${PROJECT}/mirror-a/shared:1`);
    const both = await client.images.resolve(`${HOST}/${PROJECT}/all/shared:1`);
    expect(both.servedBy).toBe(repo('mirror-a'));
    expect(both.upstreams.map((u) => [u.id, u.holds])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });
});
