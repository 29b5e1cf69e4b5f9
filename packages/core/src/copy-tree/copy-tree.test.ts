// gar copy --recursive through the facade, with the emulator standing in for Artifact Registry in
// two locations (two hosts, so blobs cross the network as between two registries).
import { resolveConfig } from '@ar/config';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { type BuiltTreeImage, pushImageTree, standardTree } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArClient, createClient } from '../client.js';
import { listGoogleTree } from './list.js';

const PROJECT = 'tree-tests';
const SRC = `us-west1-docker.pkg.dev/${PROJECT}/src`;
const DST = `europe-west1-docker.pkg.dev/${PROJECT}/dst`;
let fixture: TestEmulator;
let client: ArClient;
let tree: BuiltTreeImage[];
const requests: Array<{ method: string; path: string; location: string }> = [];

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    moreLocations: ['europe-west1'],
    repositories: ['src', { id: 'dst', location: 'europe-west1' }],
    log: (line) => requests.push(line),
  });
  const emulator = fixture.clientConfig('test-admin');
  // gcr.io served by the emulator's us-west1 port: paths there are PROJECT/REPOSITORY/…, which
  // stand for gcr.io's PROJECT/… (the emulator knows only AR repository names, so `src` stays).
  const registries = {
    ...emulator.registries,
    'gcr.io': { endpoint: fixture.emulator.url('us-west1'), google: true },
  };
  const { config } = resolveConfig({ ...fixture.isolatedUser, overrides: { ...emulator, registries } });
  client = createClient(config);
  tree = await pushImageTree(client.registry, 'us-west1-docker.pkg.dev', `${PROJECT}/src`, standardTree(), {
    layerBytes: 4096,
  });
});
afterAll(async () => {
  await client?.close();
  await fixture?.stop();
});

/** Blob upload requests (POST starts one or mounts, PATCH and PUT send bytes) the destination got since `from`. */
const uploadsSince = (from: number, method?: string) =>
  requests
    .slice(from)
    .filter(
      (r) =>
        r.location === 'europe-west1' &&
        r.path.includes('/blobs/uploads/') &&
        r.method !== 'GET' &&
        (method === undefined || r.method === method),
    ).length;

/** Distinct blobs (layers and configs) of the images: what must cross the network once each. */
function distinctBlobs(images: readonly BuiltTreeImage[]): number {
  const layers = new Set(images.flatMap((image) => image.layers));
  const configs = images.reduce((sum, image) => sum + (image.platforms?.length ?? 1), 0);
  return layers.size + configs;
}

describe('copy --recursive', () => {
  it('plans every image under the prefix and writes nothing in a dry run', async () => {
    const before = requests.length;
    const result = await client.copyTree(`${SRC}/team`, `${DST}/mirror`, { dryRun: true });
    const expected = tree.filter((image) => image.repository.startsWith('team/'));
    expect(result.images).toHaveLength(expected.length);
    expect(result.images.every((image) => image.action === 'copy' && image.status === undefined)).toBe(true);
    expect(new Set(result.images.map((image) => image.destination))).toContain(
      `europe-west1-docker.pkg.dev/${PROJECT}/dst/mirror/tools/cli`,
    );
    expect(result.images.some((image) => image.source.includes('/outside/'))).toBe(false);
    const writes = requests.slice(before).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    expect(writes).toEqual([]);
  });

  it('copies the tree with digests and tags, sends each shared layer once, and a rerun uploads nothing', async () => {
    const before = requests.length;
    const first = await client.copyTree(`${SRC}/team`, `${DST}/mirror`, { jobs: 4, maxConcurrentBlobs: 4 });
    expect(first.totals).toMatchObject({ images: 20, copied: 20, skipped: 0, failed: 0 });
    // Each distinct blob is sent once (one upload ends in one PUT); every other need is a mount.
    const team = tree.filter((image) => image.repository.startsWith('team/'));
    expect(first.totals.blobs.written).toBe(distinctBlobs(team));
    expect(uploadsSince(before, 'PUT')).toBe(distinctBlobs(team));
    expect(first.totals.blobs.mounted).toBeGreaterThan(0);
    for (const image of team) {
      const at = `${image.repository.replace(/^team/, 'mirror')}`;
      for (const tag of image.tags) {
        const head = await client.registry.headManifest({
          registry: 'europe-west1-docker.pkg.dev',
          repository: `${PROJECT}/dst/${at}`,
          tag,
        });
        expect(head?.digest, `${at}:${tag}`).toBe(image.digest);
      }
    }
    const outside = await client.registry.headManifest({
      registry: 'europe-west1-docker.pkg.dev',
      repository: `${PROJECT}/dst/outside/app`,
      tag: '1',
    });
    expect(outside).toBeUndefined();

    const again = requests.length;
    const second = await client.copyTree(`${SRC}/team`, `${DST}/mirror`);
    expect(second.totals).toMatchObject({ images: 20, copied: 0, skipped: 20, failed: 0 });
    expect(
      second.images.every((image) => image.reason === 'already at the destination with the same digest'),
    ).toBe(true);
    expect(uploadsSince(again)).toBe(0);
  });

  it('copies untagged versions only when asked, by digest', async () => {
    // Moving a tag leaves the image it named untagged.
    const [moved] = await pushImageTree(
      client.registry,
      'us-west1-docker.pkg.dev',
      `${PROJECT}/src`,
      [{ repository: 'team/web', tags: ['1.1'], layers: ['base', 'retagged'] }],
      { layerBytes: 1024 },
    );
    const old = tree.find((image) => image.repository === 'team/web' && image.tags.includes('1.1'))!;
    const tagged = await client.copyTree(`${SRC}/team/web`, `${DST}/untagged-test`, { dryRun: true });
    expect(tagged.images.map((image) => image.digest)).not.toContain(old.digest);
    const all = await client.copyTree(`${SRC}/team/web`, `${DST}/untagged-test`, { includeUntagged: true });
    const entry = all.images.find((image) => image.digest === old.digest);
    expect(entry).toMatchObject({ tags: [], status: 'copied' });
    expect(all.images.find((image) => image.digest === moved!.digest)?.tags).toEqual(['1.1']);
    const head = await client.registry.headManifest({
      registry: 'europe-west1-docker.pkg.dev',
      repository: `${PROJECT}/dst/untagged-test`,
      digest: old.digest,
    });
    expect(head?.digest).toBe(old.digest);
  });

  it('lists a Google registry tree through the tag-list extension (as on gcr.io) like the REST listing', async () => {
    const walked = await listGoogleTree(
      client.registry,
      { registry: 'us-west1-docker.pkg.dev', path: `${PROJECT}/src/team/tools` },
      { jobs: 2 },
    );
    const expected = tree.filter((image) => image.repository.startsWith('team/tools/'));
    expect(walked.map((image) => image.digest).sort()).toEqual(expected.map((image) => image.digest).sort());
    expect(walked.find((image) => image.digest === expected[0]!.digest)?.repository).toBe(
      `${PROJECT}/src/${expected[0]!.repository}`,
    );
  });

  it('migrates a tree from gcr.io (the emulator standing in) through the tag-list walk, with Google credentials', async () => {
    const result = await client.copyTree(`gcr.io/${PROJECT}/src/team/tools`, `${DST}/from-gcr`);
    const expected = tree.filter((image) => image.repository.startsWith('team/tools/'));
    expect(result.totals).toMatchObject({ images: expected.length, copied: expected.length, failed: 0 });
    for (const image of expected) {
      const head = await client.registry.headManifest({
        registry: 'europe-west1-docker.pkg.dev',
        repository: `${PROJECT}/dst/${image.repository.replace(/^team\/tools/, 'from-gcr')}`,
        tag: image.tags[0]!,
      });
      expect(head?.digest).toBe(image.digest);
    }
  });

  it('reports a failed image and goes on with the others', async () => {
    // A destination repository that does not exist: every image fails with the registry's code.
    const result = await client.copyTree(`${SRC}/team/db`, `europe-west1-docker.pkg.dev/${PROJECT}/missing`);
    expect(result.totals).toMatchObject({ images: 3, failed: 3 });
    expect(result.images[0]?.error?.code).toMatch(/^AR_REGISTRY_/);
  });
});
