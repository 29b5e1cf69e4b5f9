import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Fixture, startFixture } from '../testing/fixture.js';
import { makeImage, type TestImage } from '../testing/registry-client.js';

/** Google's own Node client (its REST fallback) pointed at the emulator with `apiEndpoint`. */
const REPO = 'projects/my-project/locations/us-central1/repositories/repo';
let fx: Fixture;
let client: ArtifactRegistryClient;
beforeAll(async () => {
  fx = await startFixture();
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: fx.emulator.mintAccessToken(`user:${ADMIN}`).accessToken });
  const url = new URL(fx.emulator.url());
  client = new ArtifactRegistryClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    authClient,
    // google-gax holds its own copy of google-auth-library 10: same API, another class identity.
  } as unknown as ConstructorParameters<typeof ArtifactRegistryClient>[0]);
});
async function push(image: string, built: TestImage, tag: string): Promise<void> {
  expect((await fx.writer().pushImage(`my-project/repo/${image}`, built, tag)).status).toBe(201);
}

/** The REST fallback reports a refusal's HTTP status as the error's `code`. */
function httpStatusOf(error: unknown): number | undefined {
  return error instanceof Error ? (error as { code?: number }).code : undefined;
}

/** The digest a reference resolves to on the registry API, or undefined when it does not. */
async function digestOf(repoImage: string, reference: string): Promise<string | undefined> {
  const head = await fx.writer().request(`/v2/${repoImage}/manifests/${reference}`, { method: 'HEAD' });
  return head.status === 200 ? (head.headers.get('docker-content-digest') ?? undefined) : undefined;
}

afterAll(async () => {
  await client?.close();
  await fx.emulator.stop();
});

describe('@google-cloud/artifact-registry (REST fallback) against the emulator', () => {
  it('creates, gets and lists repositories', async () => {
    const parent = 'projects/my-project/locations/us-central1';
    const [operation] = await client.createRepository({
      parent,
      repositoryId: 'from-node-client',
      repository: {
        format: 'DOCKER',
        description: 'made by the Google client',
        dockerConfig: { immutableTags: true },
      },
    });
    const [created] = await operation.promise();
    expect(created.name).toBe(`${parent}/repositories/from-node-client`);
    const [repository] = await client.getRepository({ name: `${parent}/repositories/from-node-client` });
    expect(repository.description).toBe('made by the Google client');
    expect(repository.dockerConfig?.immutableTags).toBe(true);
    const [repositories] = await client.listRepositories({ parent });
    expect(repositories.map((repo) => repo.name)).toContain(`${parent}/repositories/from-node-client`);
  });

  it('lists locations (the mixin) and gets one', async () => {
    const locations: string[] = [];
    for await (const location of client.listLocationsAsync({ name: 'projects/my-project' }))
      locations.push(location.locationId ?? '');
    expect(locations).toEqual(expect.arrayContaining(['us-central1', 'europe-west1', 'us']));
    // Typed as the Location, answered as gax's [response, …] tuple: accept either.
    const got: unknown = await client.getLocation({ name: 'projects/my-project/locations/us-central1' });
    const one = (Array.isArray(got) ? got[0] : got) as { locationId?: string };
    expect(one.locationId).toBe('us-central1');
  });

  it('lists docker images with their tags', async () => {
    const image = makeImage();
    expect((await fx.writer().pushImage('my-project/repo/node-client', image, 'v3')).status).toBe(201);
    const [images] = await client.listDockerImages({
      parent: 'projects/my-project/locations/us-central1/repositories/repo',
    });
    const found = images.find((entry) => entry.uri?.endsWith(image.digest));
    expect(found?.tags).toEqual(['v3']);
    expect(Number(found?.imageSizeBytes)).toBeGreaterThan(0);
  });

  it('gets a docker image by IMAGE@DIGEST, nested names included', async () => {
    const image = makeImage();
    await push('lib/nested', image, 'n1');
    const name = `${REPO}/dockerImages/${encodeURIComponent('lib/nested')}@${image.digest}`;
    const [found] = await client.getDockerImage({ name });
    expect(found).toMatchObject({
      name,
      tags: ['n1'],
      uri: `us-central1-docker.pkg.dev/my-project/repo/lib/nested@${image.digest}`,
    });
    const missing = await client
      .getDockerImage({ name: `${REPO}/dockerImages/lib%2Fnested@sha256:${'0'.repeat(64)}` })
      .catch((e: unknown) => e);
    expect(httpStatusOf(missing)).toBe(404);
  });

  it("lists tags with a version filter: only that version's tags", async () => {
    const [first, second] = [makeImage(), makeImage()];
    await push('filtered', first, 'a1');
    await push('filtered', first, 'a2');
    await push('filtered', second, 'b1');
    const pkg = `${REPO}/packages/filtered`;
    const [all] = await client.listTags({ parent: pkg });
    expect(all.map((tag) => tag.name)).toEqual([`${pkg}/tags/a1`, `${pkg}/tags/a2`, `${pkg}/tags/b1`]);
    const [ofFirst] = await client.listTags({
      parent: pkg,
      filter: `version="${pkg}/versions/${first.digest}"`,
    });
    expect(ofFirst.map((tag) => [tag.name, tag.version])).toEqual([
      [`${pkg}/tags/a1`, `${pkg}/versions/${first.digest}`],
      [`${pkg}/tags/a2`, `${pkg}/versions/${first.digest}`],
    ]);
    const [byName] = await client.listTags({ parent: pkg, filter: `name="${pkg}/tags/b*"` });
    expect(byName.map((tag) => tag.name)).toEqual([`${pkg}/tags/b1`]);
    const [tag] = await client.getTag({ name: `${pkg}/tags/b1` });
    expect(tag.version).toBe(`${pkg}/versions/${second.digest}`);
  });

  it('creates a tag on a version and moves it with updateTag; immutable tags refuse the move', async () => {
    const [first, second] = [makeImage(), makeImage()];
    await push('movable', first, 'one');
    await push('movable', second, 'two');
    const pkg = `${REPO}/packages/movable`;
    const [created] = await client.createTag({
      parent: pkg,
      tagId: 'live',
      tag: { version: `${pkg}/versions/${first.digest}` },
    });
    expect(created.name).toBe(`${pkg}/tags/live`);
    expect(await digestOf('my-project/repo/movable', 'live')).toBe(first.digest);
    const again = await client
      .createTag({ parent: pkg, tagId: 'live', tag: { version: `${pkg}/versions/${second.digest}` } })
      .catch((e: unknown) => e);
    expect(httpStatusOf(again)).toBe(409);
    const [moved] = await client.updateTag({
      tag: { name: `${pkg}/tags/live`, version: `${pkg}/versions/${second.digest}` },
      updateMask: { paths: ['version'] },
    });
    expect(moved.version).toBe(`${pkg}/versions/${second.digest}`);
    expect(await digestOf('my-project/repo/movable', 'live')).toBe(second.digest);

    const frozen = 'projects/my-project/locations/us-central1/repositories/frozen/packages/kept';
    await fx.writer().pushImage('my-project/frozen/kept', first, 'k1');
    await fx.writer().pushImage('my-project/frozen/kept', second, 'k2');
    const refused = await client
      .updateTag({
        tag: { name: `${frozen}/tags/k1`, version: `${frozen}/versions/${second.digest}` },
        updateMask: { paths: ['version'] },
      })
      .catch((e: unknown) => e);
    expect(httpStatusOf(refused)).toBe(400);
    expect((refused as Error).message).toContain(
      'cannot update tag k1. The repository has enabled tag immutability',
    );
    const [added] = await client.createTag({
      parent: frozen,
      tagId: 'k3',
      tag: { version: `${frozen}/versions/${second.digest}` },
    });
    expect(added.name).toBe(`${frozen}/tags/k3`);
    await client.deleteTag({ name: `${pkg}/tags/live` });
    expect(await digestOf('my-project/repo/movable', 'live')).toBeUndefined();
  });

  it('lists and gets versions in BASIC and FULL views, and deletes a tagged one only with force', async () => {
    const [first, second] = [makeImage(), makeImage()];
    await push('versioned', first, 'old');
    await push('versioned', first, 'stable');
    await push('versioned', second, 'new');
    const pkg = `${REPO}/packages/versioned`;
    const [basic] = await client.listVersions({ parent: pkg });
    expect(basic.map((version) => version.name).sort()).toEqual(
      [`${pkg}/versions/${first.digest}`, `${pkg}/versions/${second.digest}`].sort(),
    );
    expect(basic.every((version) => (version.relatedTags ?? []).length === 0)).toBe(true);
    const [full] = await client.getVersion({ name: `${pkg}/versions/${first.digest}`, view: 'FULL' });
    expect(full.relatedTags?.map((tag) => tag.name)).toEqual([`${pkg}/tags/old`, `${pkg}/tags/stable`]);
    expect(full.metadata?.fields?.mediaType?.stringValue).toBe('application/vnd.oci.image.manifest.v1+json');

    const refused = await client
      .deleteVersion({ name: `${pkg}/versions/${first.digest}` })
      .catch((e: unknown) => e);
    expect(httpStatusOf(refused)).toBe(400);
    expect((refused as Error).message).toContain('force=true');
    expect(await digestOf('my-project/repo/versioned', 'stable')).toBe(first.digest);
    const [operation] = await client.deleteVersion({ name: `${pkg}/versions/${first.digest}`, force: true });
    await operation.promise();
    expect(await digestOf('my-project/repo/versioned', first.digest)).toBeUndefined();
    const [left] = await client.listTags({ parent: pkg });
    expect(left.map((tag) => tag.name)).toEqual([`${pkg}/tags/new`]);
  });

  it('lists, gets and deletes packages; the delete is an operation getOperation returns done', async () => {
    const image = makeImage();
    await push('doomed', image, 'v1');
    const [packages] = await client.listPackages({ parent: REPO, filter: `name="${REPO}/packages/doo*"` });
    expect(packages.map((pkg) => pkg.name)).toEqual([`${REPO}/packages/doomed`]);
    const [pkg] = await client.getPackage({ name: `${REPO}/packages/doomed` });
    expect(Number(pkg.createTime?.seconds)).toBeGreaterThan(0);
    const [operation] = await client.deletePackage({ name: `${REPO}/packages/doomed` });
    const [polled] = await client.getOperation({ name: operation.name } as Parameters<
      typeof client.getOperation
    >[0]);
    expect(polled).toMatchObject({ name: operation.name, done: true });
    expect(await digestOf('my-project/repo/doomed', 'v1')).toBeUndefined();
    const gone = await client.getPackage({ name: `${REPO}/packages/doomed` }).catch((e: unknown) => e);
    expect(httpStatusOf(gone)).toBe(404);
  });

  it('pages through versions with pageSize and pageToken', async () => {
    for (let n = 0; n < 3; n++) await push('paged', makeImage(), `p${n}`);
    const pkg = `${REPO}/packages/paged`;
    const [firstPage, next] = await client.listVersions(
      { parent: pkg, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(firstPage).toHaveLength(2);
    expect(next?.pageToken).toBeTruthy();
    const [rest] = await client.listVersions(
      { parent: pkg, pageSize: 2, pageToken: next!.pageToken! },
      { autoPaginate: false },
    );
    expect(rest).toHaveLength(1);
  });
});
