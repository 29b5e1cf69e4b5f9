// push / pull / copy / tag / describe / delete / resolve through the facade, against the emulator
// standing in for us-west1-docker.pkg.dev (an endpoint override, as users point gar at it).
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { promotionRepositories, startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { isArError } from '@ar/errors';
import { parseArImage } from '@ar/image-ref';
import { writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArClient, createClient } from './client.js';
import { arImageLocation } from './locations.js';
import type { TransferProgress } from './progress.js';

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
    const events: TransferProgress[] = [];
    const pushed = await client.push(`oci:${dir}`, 'app:1.0', { onProgress: (e) => events.push(e) });
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    // The shared vocabulary: each blob a layer by its digest, ending done, and the image's totals.
    const layers = events.flatMap((e) => (e.type === 'layer' && e.state === 'done' ? [e] : []));
    expect(layers.map((e) => e.id).sort()).toEqual([...built.blobs].sort());
    expect(layers.every((e) => e.bytes === e.size)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'image', digest: built.root.digest, state: 'done' });
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

  it('copies typed locations as they are, without completing or re-parsing names', async () => {
    const { dir, built } = await layout('typed');
    await client.push({ kind: 'oci-layout', path: dir }, 'typed:1');
    const copied = await client.copy(arImageLocation(parseArImage(`${HOST}/${PROJECT}/dev/typed:1`)), {
      kind: 'registry',
      ref: { registry: HOST, repository: `${PROJECT}/prod/typed`, tag: '1' },
    });
    expect(copied.images[0]?.digest).toBe(built.root.digest);
    expect((await client.images.describe(`${HOST}/${PROJECT}/prod/typed:1`)).digest).toBe(built.root.digest);
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

describe('health', () => {
  it('checks the token, the REST API and a registry, each with what it saw', async () => {
    const report = await client.check({
      api: { project: PROJECT, location: 'us-west1' },
      registries: [HOST],
    });
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['token', true],
      ['api', true],
      [`registry ${HOST}`, true],
    ]);
    expect(report.ok).toBe(true);
    expect(report.checks[1]?.detail).toMatch(/answers; \d+ repositories seen in ops-tests\/us-west1/);
    expect(report.checks[2]?.detail).toBe(`${fixture.emulator.url()}/v2/ answers with these credentials`);
  });

  it('reports a refused credential as failed checks with the error code, never a throw', async () => {
    const { config } = resolveConfig({
      ...fixture.isolatedUser,
      overrides: { ...fixture.clientConfig(), auth: { accessToken: 'not-a-token-the-emulator-knows' } },
    });
    const stranger = createClient(config);
    try {
      const report = await stranger.check({
        api: { project: PROJECT, location: 'us-west1' },
        registries: [HOST],
      });
      expect(report.ok).toBe(false);
      const failed = Object.fromEntries(
        report.checks.filter((c) => !c.ok).map((c) => [c.name, c.error?.code]),
      );
      expect(failed.api).toBe('AR_REST_UNAUTHENTICATED');
      expect(failed[`registry ${HOST}`]).toMatch(/^AR_REGISTRY_/);
    } finally {
      await stranger.close();
    }
  });
});
