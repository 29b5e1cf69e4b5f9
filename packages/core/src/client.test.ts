import { createHash, randomBytes } from 'node:crypto';
import { type ArUserConfig, resolveConfig } from '@ar/config';
import type { Emulator } from '@ar/emulator';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { isArError } from '@ar/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { upstreamsByPriority } from './repositories.js';

const PROJECT = 'core-tests';
let fixture: TestEmulator;
let emulator: Emulator;
let token: string;
let readerToken: string;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'admin-sa': 'roles/artifactregistry.admin', 'reader-sa': null },
    repositories: [
      { id: 'apps', description: 'application images' },
      { id: 'locked', immutableTags: true },
      {
        id: 'reader-only',
        iam: [
          {
            role: 'roles/artifactregistry.reader',
            members: [`serviceAccount:reader-sa@${PROJECT}.iam.gserviceaccount.com`],
          },
        ],
      },
    ],
  });
  emulator = fixture.emulator;
  token = fixture.token('admin-sa');
  readerToken = fixture.token('reader-sa');
});
afterAll(async () => {
  await fixture?.stop();
});

function client(accessToken: string, overrides: ArUserConfig = {}) {
  const { config } = resolveConfig({
    ...fixture.isolatedUser,
    overrides: { ...fixture.clientConfig(), auth: { accessToken }, ...overrides },
  });
  return createClient(config);
}

/** Pushes a one-layer image straight over the registry API (monolithic uploads, as AR wants). */
async function pushImage(repositoryPath: string, tag: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}` };
  const base = `${emulator.url()}/v2/${repositoryPath}`;
  const upload = async (body: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const started = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers });
    const location = new URL(started.headers.get('location')!, emulator.url());
    location.searchParams.set('digest', digest);
    const done = await fetch(location, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(done.status).toBe(201);
    return { digest, size: body.length };
  };
  const layer = await upload(randomBytes(1024));
  const config = await upload(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  });
  const put = await fetch(`${base}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  expect(put.status).toBe(201);
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

describe('repositories', () => {
  it('lists the repositories of the configured project and location', async () => {
    const names = (await client(token).repositories.list()).map((r) => r.name.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['apps', 'locked', 'reader-only']));
  });

  it('describes a repository by ID, by full name, and shows immutable tags', async () => {
    const ar = client(token);
    expect(await ar.repositories.describe('apps')).toMatchObject({
      name: `projects/${PROJECT}/locations/us-west1/repositories/apps`,
      format: 'DOCKER',
      description: 'application images',
    });
    expect(
      (await ar.repositories.describe(`us-west1-docker.pkg.dev/${PROJECT}/locked`)).dockerConfig,
    ).toEqual({ immutableTags: true });
  });

  it('creates standard and virtual repositories, and orders upstream policies by priority', async () => {
    const ar = client(token);
    await ar.repositories.create('base-a');
    await ar.repositories.create('base-b');
    const created = await ar.repositories.create('everything', {
      mode: 'VIRTUAL_REPOSITORY',
      upstreams: [
        { id: 'low', repository: `projects/${PROJECT}/locations/us-west1/repositories/base-a`, priority: 20 },
        {
          id: 'high',
          repository: `projects/${PROJECT}/locations/us-west1/repositories/base-b`,
          priority: 100,
        },
      ],
    });
    expect(created.mode).toBe('VIRTUAL_REPOSITORY');
    expect(upstreamsByPriority(created).map((p) => p.id)).toEqual(['high', 'low']);
  });

  it('names what is missing when there is no project, and what is wrong when the API refuses', async () => {
    const noProject = client(token, { project: undefined as never });
    const missing = await noProject.repositories.list().catch((e: unknown) => e);
    expect(isArError(missing, 'AR_CORE_MISSING_DEFAULT')).toBe(true);
    expect((missing as Error).message).toBe('No project given, and no default project is configured.');
    const notFound = await client(token)
      .repositories.describe('nope')
      .catch((e: unknown) => e);
    expect(isArError(notFound, 'AR_REST_NOT_FOUND')).toBe(true);
    const denied = await client(readerToken)
      .repositories.create('forbidden')
      .catch((e: unknown) => e);
    expect(isArError(denied, 'AR_REST_PERMISSION_DENIED')).toBe(true);
    expect((denied as Error).message).toContain('roles/artifactregistry');
  });
});

describe('images', () => {
  it('lists image versions with digests, tags and times, for a repository or one image', async () => {
    const first = await pushImage(`${PROJECT}/apps/web`, 'v1');
    const second = await pushImage(`${PROJECT}/apps/api`, 'latest');
    const ar = client(token);
    const all = await ar.images.list('apps');
    expect(all.map((row) => [row.image, row.digest, row.tags])).toEqual(
      expect.arrayContaining([
        [`us-west1-docker.pkg.dev/${PROJECT}/apps/web`, first, ['v1']],
        [`us-west1-docker.pkg.dev/${PROJECT}/apps/api`, second, ['latest']],
      ]),
    );
    expect(all[0]?.createTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const web = await ar.images.list(`us-west1-docker.pkg.dev/${PROJECT}/apps/web`);
    expect(web.map((row) => row.digest)).toEqual([first]);
    expect(await ar.images.list('apps', { limit: 1 })).toHaveLength(1);
  });
});
