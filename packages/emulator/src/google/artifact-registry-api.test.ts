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
});
