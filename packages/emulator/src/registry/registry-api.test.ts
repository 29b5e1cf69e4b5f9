import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../emulator.js';
import { type Fixture, standardSeed, startFixture, WRITER } from '../testing/fixture.js';
import { makeImage, RegistryClient, sha256 } from '../testing/registry-client.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx.emulator.stop();
});

async function errorOf(response: Response): Promise<{ code: string; message: string; detail: unknown }> {
  const body = (await response.json()) as {
    errors: Array<{ code: string; message: string; detail: unknown }>;
  };
  return body.errors[0]!;
}

describe('registry API v2', () => {
  it('challenges an anonymous GET /v2/ with a Bearer realm at the emulator', async () => {
    const response = await fetch(`${fx.emulator.url()}/v2/`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${fx.emulator.url()}/v2/token",service="${fx.emulator.host()}"`,
    );
    expect((await errorOf(response)).code).toBe('UNAUTHORIZED');
  });

  it('issues registry tokens for each AR username and refuses unknown credentials', async () => {
    const token = fx.emulator.mintAccessToken(
      `serviceAccount:pusher@my-project.iam.gserviceaccount.com`,
    ).accessToken;
    const logins: Array<[string, string]> = [
      ['oauth2accesstoken', token],
      // What gcloud's own Docker credential helper sends.
      ['_dcgcloud_token', token],
      ['_json_key', JSON.stringify(fx.writerKey)],
      ['_json_key_base64', Buffer.from(JSON.stringify(fx.writerKey)).toString('base64')],
    ];
    for (const [username, password] of logins) {
      const response = await fetch(
        `${fx.emulator.url()}/v2/token?service=x&scope=repository:my-project/repo/a:push`,
        {
          headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
        },
      );
      expect(response.status, username).toBe(200);
      const body = (await response.json()) as { token: string; expires_in: number };
      const check = await fetch(`${fx.emulator.url()}/v2/`, {
        headers: { Authorization: `Bearer ${body.token}` },
      });
      expect(check.status, username).toBe(200);
    }
    const forged = { ...fx.writerKey, private_key: fx.readerKey.private_key };
    const bad = await fetch(`${fx.emulator.url()}/v2/token`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`_json_key:${JSON.stringify(forged)}`).toString('base64')}`,
      },
    });
    expect(bad.status).toBe(401);
    const wrongUser = await fetch(`${fx.emulator.url()}/v2/token`, {
      headers: { Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
    });
    expect(wrongUser.status).toBe(401);
    expect((await errorOf(wrongUser)).message).toContain('oauth2accesstoken');
  });

  it('accepts a Google access token sent directly as Bearer, and refuses it once expired', async () => {
    const minted = fx.emulator.mintAccessToken('pusher@my-project.iam.gserviceaccount.com', {
      ttlSeconds: 1,
    });
    const ok = await fetch(`${fx.emulator.url()}/v2/`, {
      headers: { Authorization: `Bearer ${minted.accessToken}` },
    });
    expect(ok.status).toBe(200);
    // Waiting for a real expiry: the token's own deadline, not a guess at timing.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, minted.expiresAtMs - Date.now()) + 5));
    const expired = await fetch(`${fx.emulator.url()}/v2/`, {
      headers: { Authorization: `Bearer ${minted.accessToken}` },
    });
    expect(expired.status).toBe(401);
  });

  it('pushes and pulls by tag and by digest, with the blob served whole and by range', async () => {
    const client = fx.writer();
    const image = makeImage({ layerSizes: [5000] });
    expect((await client.pushImage('my-project/repo/app', image, 'v1')).status).toBe(201);
    const byTag = await client.request('/v2/my-project/repo/app/manifests/v1', {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(byTag.status).toBe(200);
    expect(byTag.headers.get('docker-content-digest')).toBe(image.digest);
    expect(byTag.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(Buffer.from(await byTag.arrayBuffer()).equals(image.manifest)).toBe(true);
    const byDigest = await client.request(`/v2/my-project/repo/app/manifests/${image.digest}`, {
      method: 'HEAD',
    });
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers.get('content-length')).toBe(String(image.manifest.length));
    const layer = image.layers[0]!;
    const blob = await client.request(`/v2/my-project/repo/app/blobs/${sha256(layer)}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(layer)).toBe(true);
    const part = await client.request(`/v2/my-project/repo/app/blobs/${sha256(layer)}`, {
      headers: { Range: 'bytes=10-19' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${layer.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(layer.subarray(10, 20))).toBe(true);
    const beyond = await client.request(`/v2/my-project/repo/app/blobs/${sha256(layer)}`, {
      headers: { Range: 'bytes=999999-' },
    });
    expect(beyond.status).toBe(416);
  });

  it('refuses a second PATCH and a Content-Range upload: monolithic uploads only', async () => {
    const client = fx.writer();
    const data = Buffer.from('chunk one and chunk two');
    const start = await client.request('/v2/my-project/repo/chunky/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location')!;
    const first = await client.request(location, { method: 'PATCH', body: data.subarray(0, 5) });
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-4');
    const second = await client.request(location, { method: 'PATCH', body: data.subarray(5) });
    expect(second.status).toBe(400);
    const error = await errorOf(second);
    expect(error.code).toBe('BLOB_UPLOAD_INVALID');
    expect(error.message).toContain('monolithic uploads are required');
    // The session is gone: nothing half-uploaded can be completed.
    const finish = await client.request(`${location}?digest=${sha256(data)}`, { method: 'PUT' });
    expect(finish.status).toBe(404);

    const again = await client.request('/v2/my-project/repo/chunky/blobs/uploads/', { method: 'POST' });
    const ranged = await client.request(again.headers.get('location')!, {
      method: 'PATCH',
      headers: { 'Content-Range': '0-4' },
      body: data.subarray(0, 5),
    });
    expect(ranged.status).toBe(400);
    expect((await errorOf(ranged)).message).toContain('monolithic');
  });

  it('accepts one PATCH carrying the whole blob, then an empty PUT', async () => {
    const client = fx.writer();
    const data = Buffer.from('the whole blob in one patch');
    const start = await client.request('/v2/my-project/repo/patched/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location')!;
    expect((await client.request(location, { method: 'PATCH', body: data })).status).toBe(202);
    const put = await client.request(`${location}?digest=${sha256(data)}`, { method: 'PUT' });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(sha256(data));
  });

  it('verifies the digest on receipt and stores nothing on a mismatch', async () => {
    const client = fx.writer();
    const data = Buffer.from('these bytes');
    const claimed = sha256('other bytes');
    const start = await client.request('/v2/my-project/repo/bad/blobs/uploads/', { method: 'POST' });
    const put = await client.request(`${start.headers.get('location')}?digest=${claimed}`, {
      method: 'PUT',
      body: data,
    });
    expect(put.status).toBe(400);
    expect((await errorOf(put)).code).toBe('DIGEST_INVALID');
    expect(
      (await client.request(`/v2/my-project/repo/bad/blobs/${claimed}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect(
      (await client.request(`/v2/my-project/repo/bad/blobs/${sha256(data)}`, { method: 'HEAD' })).status,
    ).toBe(404);
  });

  it('refuses a manifest whose blobs or children are missing, and one over 4 MiB', async () => {
    const client = fx.writer();
    const image = makeImage();
    const response = await client.putManifest('my-project/repo/orphan', 'v1', image.manifest);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('MANIFEST_BLOB_UNKNOWN');
    expect((await client.request('/v2/my-project/repo/orphan/manifests/v1', { method: 'HEAD' })).status).toBe(
      404,
    );
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.digest, size: 10 },
        ],
      }),
    );
    const indexResponse = await client.putManifest(
      'my-project/repo/orphan',
      'multi',
      index,
      'application/vnd.oci.image.index.v1+json',
    );
    expect(indexResponse.status).toBe(400);
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const tooBig = await client.putManifest('my-project/repo/orphan', 'huge', huge);
    expect(tooBig.status).toBe(413);
    expect((await errorOf(tooBig)).code).toBe('MANIFEST_INVALID');
  });

  it('stores an index over pushed children and lists it with the Google tags/list extension', async () => {
    const client = fx.writer();
    const amd = makeImage({ created: '2024-01-02T03:04:05Z' });
    const arm = makeImage();
    expect((await client.pushImage('my-project/repo/multi', amd, amd.digest)).status).toBe(201);
    expect((await client.pushImage('my-project/repo/multi', arm, arm.digest)).status).toBe(201);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [amd, arm].map((image) => ({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: image.digest,
          size: image.manifest.length,
        })),
      }),
    );
    const put = await client.putManifest(
      'my-project/repo/multi',
      'latest',
      index,
      'application/vnd.docker.distribution.manifest.list.v2+json',
    );
    expect(put.status).toBe(201);
    for (const tag of ['a', 'b', 'c'])
      expect((await client.putManifest('my-project/repo/multi', tag, amd.manifest)).status).toBe(201);
    const list = await client.request('/v2/my-project/repo/multi/tags/list');
    const body = (await list.json()) as {
      tags: string[];
      manifest: Record<
        string,
        { tag: string[]; imageSizeBytes: string; timeCreatedMs: string; mediaType: string }
      >;
    };
    expect(body.tags).toEqual(['a', 'b', 'c', 'latest']);
    expect(body.manifest[amd.digest]).toMatchObject({
      tag: ['a', 'b', 'c'],
      timeCreatedMs: String(Date.parse('2024-01-02T03:04:05Z')),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(typeof body.manifest[amd.digest]!.imageSizeBytes).toBe('string');
    expect(body.manifest[sha256(index)]!.tag).toEqual(['latest']);

    const page = await client.request('/v2/my-project/repo/multi/tags/list?n=2');
    expect(((await page.json()) as { tags: string[] }).tags).toEqual(['a', 'b']);
    expect(page.headers.get('link')).toBe('</v2/my-project/repo/multi/tags/list?n=2&last=b>; rel="next"');
    const next = await client.request('/v2/my-project/repo/multi/tags/list?n=2&last=b');
    expect(((await next.json()) as { tags: string[] }).tags).toEqual(['c', 'latest']);
    expect(next.headers.get('link')).toBeNull();

    const repoLevel = await client.request('/v2/my-project/repo/tags/list');
    expect(((await repoLevel.json()) as { child: string[] }).child).toContain('multi');
  });

  it('names the principal, repository and permission when a reader pushes', async () => {
    const response = await fx.reader().request('/v2/my-project/repo/app/blobs/uploads/', { method: 'POST' });
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.code).toBe('DENIED');
    expect(error.message).toContain('serviceAccount:reader@my-project.iam.gserviceaccount.com');
    expect(error.message).toContain('projects/my-project/locations/us-central1/repositories/repo');
    expect(error.message).toContain('artifactregistry.repositories.uploadArtifacts');
    expect(error.message).toContain('roles/artifactregistry.writer');
  });

  it('answers NAME_UNKNOWN for a missing repository to a project owner, DENIED to others', async () => {
    const owner = fx.emulator.mintAccessToken('user:admin@example.com').accessToken;
    const asOwner = await fetch(`${fx.emulator.url()}/v2/my-project/nope/app/manifests/v1`, {
      headers: { Authorization: `Bearer ${owner}` },
    });
    expect(asOwner.status).toBe(404);
    expect((await errorOf(asOwner)).code).toBe('NAME_UNKNOWN');
    const asWriter = await fx.writer().request('/v2/my-project/nope/app/manifests/v1');
    expect(asWriter.status).toBe(403);
    expect((await errorOf(asWriter)).message).toContain('artifactregistry.repositories.downloadArtifacts');
  });

  it('serves public repositories to anonymous callers and challenges them on private ones', async () => {
    const image = makeImage();
    const owner = fx.emulator.mintAccessToken('user:admin@example.com').accessToken;
    const ownerClient = new (
      fx.writer().constructor as typeof import('../testing/registry-client.js').RegistryClient
    )(fx.emulator.url(), { username: 'oauth2accesstoken', password: owner });
    expect((await ownerClient.pushImage('my-project/public/open', image, 'v1')).status).toBe(201);
    const anonymous = fx.anonymous();
    expect((await anonymous.request('/v2/my-project/public/open/manifests/v1')).status).toBe(200);
    const push = await anonymous.request('/v2/my-project/public/open/blobs/uploads/', { method: 'POST' });
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toContain(
      'scope="repository:my-project/public/open:pull,push"',
    );
  });

  it('keeps immutable tags: same digest again is fine, another digest is refused in AR words', async () => {
    const client = fx.writer();
    const first = makeImage();
    const second = makeImage();
    expect((await client.pushImage('my-project/frozen/app', first, 'stable')).status).toBe(201);
    expect((await client.putManifest('my-project/frozen/app', 'stable', first.manifest)).status).toBe(201);
    const moved = await client.pushImage('my-project/frozen/app', second, 'stable');
    expect(moved.status).toBe(400);
    const error = await errorOf(moved);
    // AR's code and words (MANIFEST_INVALID, not TAG_INVALID, which skopeo takes as "try another format").
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('cannot update tag stable. The repository has enabled tag immutability');
    expect(error.message).toContain(first.digest);
    const still = await client.request('/v2/my-project/frozen/app/manifests/stable', { method: 'HEAD' });
    expect(still.headers.get('docker-content-digest')).toBe(first.digest);
  });

  it('lets exactly one of two concurrent pushes of an immutable tag win', async () => {
    const client = fx.writer();
    const images = [makeImage(), makeImage()];
    for (const image of images) {
      for (const blob of [image.config, ...image.layers])
        await client.pushBlob('my-project/frozen/race', blob);
    }
    const results = await Promise.all(
      images.map((image) => client.putManifest('my-project/frozen/race', 'v1', image.manifest)),
    );
    expect(results.map((response) => response.status).sort()).toEqual([201, 400]);
    const winner = images[results.findIndex((response) => response.status === 201)]!;
    const head = await client.request('/v2/my-project/frozen/race/manifests/v1', { method: 'HEAD' });
    expect(head.headers.get('docker-content-digest')).toBe(winner.digest);
  });

  it('mounts a blob from another repository of the same project when the caller can read it', async () => {
    const client = fx.writer();
    const data = Buffer.from('mount me');
    expect((await client.pushBlob('my-project/repo/source', data)).status).toBe(201);
    const mounted = await client.request(
      `/v2/my-project/frozen/target/blobs/uploads/?mount=${sha256(data)}&from=my-project/repo/source`,
      { method: 'POST' },
    );
    expect(mounted.status).toBe(201);
    expect(
      (await client.request(`/v2/my-project/frozen/target/blobs/${sha256(data)}`, { method: 'HEAD' })).status,
    ).toBe(200);
    const unknown = await client.request(
      `/v2/my-project/frozen/target/blobs/uploads/?mount=${sha256('never pushed')}&from=my-project/repo/source`,
      { method: 'POST' },
    );
    expect(unknown.status).toBe(202);
  });

  it('deletes tags and manifests only for repoAdmin', async () => {
    const client = fx.writer();
    const image = makeImage();
    await client.pushImage('my-project/repo/gone', image, 'v1');
    const denied = await client.request(`/v2/my-project/repo/gone/manifests/${image.digest}`, {
      method: 'DELETE',
    });
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).message).toContain('artifactregistry.repositories.deleteArtifacts');
    const owner = fx.emulator.mintAccessToken('user:admin@example.com').accessToken;
    const deleted = await fetch(`${fx.emulator.url()}/v2/my-project/repo/gone/manifests/${image.digest}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${owner}` },
    });
    expect(deleted.status).toBe(202);
    expect((await client.request('/v2/my-project/repo/gone/manifests/v1', { method: 'HEAD' })).status).toBe(
      404,
    );
  });

  it('refuses invalid names and tags with OCI codes', async () => {
    const client = fx.writer();
    const badTag = await client.putManifest('my-project/repo/app', '-bad', makeImage().manifest);
    expect(badTag.status).toBe(400);
    expect((await errorOf(badTag)).code).toBe('TAG_INVALID');
    const badName = await client.request('/v2/my-project/repo/UPPER/manifests/v1');
    expect(badName.status).toBe(400);
    expect((await errorOf(badName)).code).toBe('NAME_INVALID');
  });

  it('answers a reference that cannot exist with 404 MANIFEST_UNKNOWN, after authentication', async () => {
    const client = fx.writer();
    for (const reference of ['.INVALID_MANIFEST_NAME', '%E0%A4%A', '%ZZ']) {
      const anonymous = await fetch(`${fx.emulator.url()}/v2/my-project/repo/app/manifests/${reference}`);
      expect(anonymous.status, reference).toBe(401);
      expect(anonymous.headers.get('www-authenticate'), reference).toContain('Bearer realm=');
      for (const method of ['GET', 'HEAD']) {
        const response = await client.request(`/v2/my-project/repo/app/manifests/${reference}`, { method });
        expect(response.status, `${method} ${reference}`).toBe(404);
        if (method === 'GET') expect((await errorOf(response)).code).toBe('MANIFEST_UNKNOWN');
      }
    }
    const put = await client.putManifest('my-project/repo/app', '%ZZ', makeImage().manifest);
    expect(put.status).toBe(400);
    expect((await errorOf(put)).code).toBe('TAG_INVALID');
  });

  it('ends an idle upload session and removes its data; a new one still completes', async () => {
    const emulator = await startEmulator({ seed: standardSeed(), uploadIdleTimeoutSeconds: 0.3 });
    try {
      const client = new RegistryClient(emulator.url(), {
        username: '_json_key',
        password: JSON.stringify(emulator.seeded.serviceAccountKeys[WRITER]![0]),
      });
      const tmp = join(emulator.dataDir, 'tmp');
      const open = async () => {
        const started = await client.request('/v2/my-project/repo/idle/blobs/uploads/', { method: 'POST' });
        return started.headers.get('location')!;
      };
      const abandoned = await open();
      const data = Buffer.from('never finished');
      expect((await client.request(abandoned, { method: 'PATCH', body: data })).status).toBe(202);
      expect(await readdir(tmp)).toHaveLength(1);
      // Polled, not slept (the sweep runs every tenth of the timeout); asking the upload itself
      // would use it and keep it alive.
      while ((await readdir(tmp)).length > 0) await delay(50);
      const gone = await client.request(abandoned, { method: 'PUT', body: data });
      expect(gone.status).toBe(404);
      expect((await errorOf(gone)).code).toBe('BLOB_UPLOAD_UNKNOWN');
      const fresh = await open();
      const finished = await client.request(`${fresh}?digest=${sha256(data)}`, { method: 'PUT', body: data });
      expect(finished.status).toBe(201);
    } finally {
      await emulator.stop();
    }
  });
});
