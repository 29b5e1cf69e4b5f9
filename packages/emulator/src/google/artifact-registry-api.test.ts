import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, READER, startFixture, WRITER } from '../testing/fixture.js';
import { makeImage } from '../testing/registry-client.js';

let fx: Fixture;
let base: string;
beforeAll(async () => {
  fx = await startFixture();
  base = `${fx.emulator.url()}/v1/projects/my-project/locations/us-central1`;
});
afterAll(async () => {
  await fx.emulator.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
type Json = any;

async function call(
  path: string,
  init: RequestInit = {},
  token = fx.adminToken(),
): Promise<{ status: number; body: Json }> {
  const response = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

describe('Artifact Registry REST API v1 subset', () => {
  it('creates a repository as a done long-running operation and gets it back', async () => {
    const created = await call('/repositories?repositoryId=made', {
      method: 'POST',
      body: JSON.stringify({
        format: 'DOCKER',
        description: 'made by a test',
        dockerConfig: { immutableTags: true },
      }),
    });
    expect(created.status).toBe(200);
    expect(created.body.done).toBe(true);
    expect(created.body.name).toMatch(/^projects\/my-project\/locations\/us-central1\/operations\//);
    expect(created.body.response).toMatchObject({
      '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository',
      name: 'projects/my-project/locations/us-central1/repositories/made',
      format: 'DOCKER',
      mode: 'STANDARD_REPOSITORY',
      dockerConfig: { immutableTags: true },
      registryUri: 'us-central1-docker.pkg.dev/my-project/made',
    });
    const operation = await call(`${fx.emulator.url()}/v1/${created.body.name}`);
    expect(operation.body.done).toBe(true);
    const got = await call('/repositories/made');
    expect(got.body.description).toBe('made by a test');
    const again = await call('/repositories?repositoryId=made', { method: 'POST', body: '{}' });
    expect(again.status).toBe(409);
    expect(again.body.error.status).toBe('ALREADY_EXISTS');
  });

  it('accepts the integer enums of the gax REST fallback', async () => {
    const created = await call('/repositories?repositoryId=ints&$alt=json%3Benum-encoding%3Dint', {
      method: 'POST',
      body: JSON.stringify({ format: 1, mode: 1 }),
    });
    expect(created.status).toBe(200);
    expect(created.body.response.mode).toBe('STANDARD_REPOSITORY');
  });

  it('lists repositories with pageSize and pageToken', async () => {
    const first = await call('/repositories?pageSize=2');
    expect(first.body.repositories).toHaveLength(2);
    expect(first.body.nextPageToken).toBeTypeOf('string');
    const rest = await call(`/repositories?pageSize=100&pageToken=${first.body.nextPageToken}`);
    const names = [...first.body.repositories, ...rest.body.repositories].map((repo: { name: string }) =>
      repo.name.split('/').pop(),
    );
    expect(names).toEqual(expect.arrayContaining(['repo', 'frozen', 'public']));
    expect(rest.body.nextPageToken).toBeUndefined();
  });

  it('patches immutableTags with an update mask', async () => {
    const patched = await call('/repositories/made?updateMask=dockerConfig.immutableTags', {
      method: 'PATCH',
      body: JSON.stringify({ dockerConfig: { immutableTags: false } }),
    });
    expect(patched.status).toBe(200);
    expect(patched.body.dockerConfig.immutableTags).toBe(false);
  });

  it('reads and replaces the IAM policy, refusing a stale etag', async () => {
    const policy = await call('/repositories/made:getIamPolicy');
    expect(policy.status).toBe(200);
    const set = await call('/repositories/made:setIamPolicy', {
      method: 'POST',
      body: JSON.stringify({
        policy: {
          etag: policy.body.etag,
          bindings: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${READER}`] }],
        },
      }),
    });
    expect(set.status).toBe(200);
    expect(set.body.bindings).toEqual([
      { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${READER}`] },
    ]);
    const stale = await call('/repositories/made:setIamPolicy', {
      method: 'POST',
      body: JSON.stringify({ policy: { etag: policy.body.etag, bindings: [] } }),
    });
    expect(stale.status).toBe(400);
    expect(stale.body.error.status).toBe('FAILED_PRECONDITION');
    // The new binding is effective on the registry at once.
    const push = await fx.reader().pushBlob('my-project/made/app', Buffer.from('now a writer'));
    expect(push.status).toBe(201);
  });

  it('lists docker images with uri, tags, sizes and times, and lists and deletes tags', async () => {
    const image = makeImage({ created: '2023-03-04T05:06:07Z' });
    expect((await fx.writer().pushImage('my-project/repo/lib/tool', image, 'v9')).status).toBe(201);
    const list = await call('/repositories/repo/dockerImages?pageSize=50');
    const entry = list.body.dockerImages.find((item: { uri: string }) => item.uri.endsWith(image.digest));
    expect(entry).toMatchObject({
      name: `projects/my-project/locations/us-central1/repositories/repo/dockerImages/lib%2Ftool@${image.digest}`,
      uri: `us-central1-docker.pkg.dev/my-project/repo/lib/tool@${image.digest}`,
      tags: ['v9'],
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      buildTime: '2023-03-04T05:06:07.000Z',
    });
    expect(entry.imageSizeBytes).toMatch(/^\d+$/);
    expect(Date.parse(entry.uploadTime)).toBeGreaterThan(0);
    expect(Date.parse(entry.updateTime)).toBeGreaterThan(0);
    const one = await call(`/repositories/repo/dockerImages/lib%2Ftool@${image.digest}`);
    expect(one.body.uri).toBe(entry.uri);
    const tags = await call('/repositories/repo/packages/lib%2Ftool/tags');
    expect(tags.body.tags).toEqual([
      {
        name: 'projects/my-project/locations/us-central1/repositories/repo/packages/lib%2Ftool/tags/v9',
        version: `projects/my-project/locations/us-central1/repositories/repo/packages/lib%2Ftool/versions/${image.digest}`,
      },
    ]);
    const deleted = await call('/repositories/repo/packages/lib%2Ftool/tags/v9', { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const head = await fx.writer().request('/v2/my-project/repo/lib/tool/manifests/v9', { method: 'HEAD' });
    expect(head.status).toBe(404);
  });

  it('lists locations and answers errors in Google JSON form', async () => {
    const locations = await call(`${fx.emulator.url()}/v1/projects/my-project/locations`);
    expect(locations.body.locations.map((location: { locationId: string }) => location.locationId)).toContain(
      'europe-west1',
    );
    const missing = await call('/repositories/absent');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    const anonymous = await fetch(`${base}/repositories`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    const writerToken = fx.emulator.mintAccessToken(WRITER).accessToken;
    const denied = await call('/repositories?repositoryId=nope', { method: 'POST', body: '{}' }, writerToken);
    expect(denied.status).toBe(403);
    expect(denied.body.error.status).toBe('PERMISSION_DENIED');
    expect(denied.body.error.message).toContain('artifactregistry.repositories.create');
  });

  it('deletes a repository and its images', async () => {
    const deleted = await call('/repositories/ints', { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body.done).toBe(true);
    expect((await call('/repositories/ints')).status).toBe(404);
  });

  it('lists locations at v1beta2 too, where gcloud lists them before listing repositories', async () => {
    const listed = await call(`${fx.emulator.url()}/v1beta2/projects/my-project/locations?pageSize=2`);
    expect(listed.status).toBe(200);
    expect(listed.body.locations).toHaveLength(2);
    expect(listed.body.nextPageToken).toBeTypeOf('string');
    const one = await call(`${fx.emulator.url()}/v1beta2/projects/my-project/locations/europe-west1`);
    expect(one.body).toMatchObject({
      name: 'projects/my-project/locations/europe-west1',
      locationId: 'europe-west1',
    });
  });

  it('answers Service Usage services.get: ENABLED for the APIs it serves, DISABLED for others', async () => {
    const services = `${fx.emulator.url()}/v1/projects/my-project/services`;
    const served = await call(`${services}/artifactregistry.googleapis.com`);
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({
      state: 'ENABLED',
      config: { name: 'artifactregistry.googleapis.com' },
    });
    expect(served.body.name).toMatch(/^projects\/\d+\/services\/artifactregistry\.googleapis\.com$/);
    const other = await call(`${services}/containeranalysis.googleapis.com`);
    expect(other.body.state).toBe('DISABLED');
    expect((await fetch(`${services}/artifactregistry.googleapis.com`)).status).toBe(401);
  });

  it('filters tags by version and name, and refuses filters and percent-encodings it cannot read', async () => {
    const [first, second] = [makeImage(), makeImage()];
    await fx.writer().pushImage('my-project/repo/filtered', first, 'f1');
    await fx.writer().pushImage('my-project/repo/filtered', second, 'f2');
    await fx.writer().pushImage('my-project/repo/filtered', second, 'g2');
    const pkg = 'projects/my-project/locations/us-central1/repositories/repo/packages/filtered';
    const names = async (filter: string) =>
      (
        (await call(`/repositories/repo/packages/filtered/tags?filter=${encodeURIComponent(filter)}`)).body
          .tags ?? []
      ).map((tag: { name: string }) => tag.name.split('/').pop());
    expect(await names(`version="${pkg}/versions/${second.digest}"`)).toEqual(['f2', 'g2']);
    expect(await names(`version="${pkg}/versions/${first.digest}"`)).toEqual(['f1']);
    expect(await names(`name="${pkg}/tags/f*"`)).toEqual(['f1', 'f2']);
    expect(await names(`name="*2" AND version="${pkg}/versions/${second.digest}"`)).toEqual(['f2', 'g2']);
    expect(await names(`name="${pkg}/tags/f1" OR name="${pkg}/tags/g2"`)).toEqual(['f1', 'g2']);
    const badField = await call(
      `/repositories/repo/packages/filtered/tags?filter=${encodeURIComponent('owner="x"')}`,
    );
    expect(badField.status).toBe(400);
    expect(badField.body.error.status).toBe('INVALID_ARGUMENT');
    const badEncoding = await call('/repositories/repo/packages/%ZZ/tags');
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body.error.status).toBe('INVALID_ARGUMENT');
  });

  it('keeps tags in a repository with immutable tags: no move, no delete, no deleting a tagged package', async () => {
    const [first, second] = [makeImage(), makeImage()];
    await fx.writer().pushImage('my-project/frozen/kept', first, 'k1');
    await fx.writer().pushImage('my-project/frozen/kept', second, 'k2');
    const pkg = 'projects/my-project/locations/us-central1/repositories/frozen/packages/kept';
    const base2 = '/repositories/frozen/packages/kept';
    const moved = await call(`${base2}/tags/k1?updateMask=version`, {
      method: 'PATCH',
      body: JSON.stringify({ name: `${pkg}/tags/k1`, version: `${pkg}/versions/${second.digest}` }),
    });
    expect([moved.status, moved.body.error.status]).toEqual([400, 'FAILED_PRECONDITION']);
    expect(moved.body.error.message).toContain('The repository has enabled tag immutability');
    const untagged = await call(`${base2}/tags/k1`, { method: 'DELETE' });
    expect([untagged.status, untagged.body.error.status]).toEqual([400, 'FAILED_PRECONDITION']);
    const forced = await call(`${base2}/versions/${first.digest}?force=true`, { method: 'DELETE' });
    expect(forced.body.error.status).toBe('FAILED_PRECONDITION');
    const dropped = await call(base2, { method: 'DELETE' });
    expect(dropped.body.error.status).toBe('FAILED_PRECONDITION');
    const tags = await call(`${base2}/tags`);
    expect(tags.body.tags.map((tag: { name: string }) => tag.name.split('/').pop())).toEqual(['k1', 'k2']);
  });
});
