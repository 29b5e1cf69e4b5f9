// POST /v1/images:copy with `recursive: true`: @ar/core's tree copy as a job, over real HTTP on
// loopback, against the emulator standing in for us-west1-docker.pkg.dev.
import { resolveConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { pushImageTree } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../test/helpers.js';
import { type ApiService, createApi } from './app.js';
import type { Job } from './jobs/types.js';

const PROJECT = 'api-tree-tests';
const HOST = 'us-west1-docker.pkg.dev';
const KEYS = { admin: 'tree-admin-key-0123456789', reader: 'tree-reader-key-0123456789' };
let fixture: TestEmulator;
let setup: ArClient;
let api: ApiService;
let base: string;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'api-svc': 'roles/artifactregistry.admin' },
    repositories: ['dev', 'prod'],
  });
  const { config } = resolveConfig({
    ...fixture.isolatedUser,
    overrides: {
      ...fixture.clientConfig('api-svc'),
      api: {
        allowedHosts: [HOST],
        callers: [
          {
            name: 'admin',
            apiKeySha256: sha256Hex(KEYS.admin),
            grants: [{ prefix: `${HOST}/${PROJECT}`, role: 'admin' }],
          },
          {
            name: 'reader',
            apiKeySha256: sha256Hex(KEYS.reader),
            grants: [
              { prefix: `${HOST}/${PROJECT}/dev`, role: 'read' },
              { prefix: `${HOST}/${PROJECT}/prod/team/web`, role: 'write' },
            ],
          },
        ],
      },
    },
  });
  setup = createClient(config);
  await pushImageTree(
    setup.registry,
    HOST,
    `${PROJECT}/dev`,
    [
      { repository: 'team/web', tags: ['1', 'latest'], layers: ['base', 'web'] },
      { repository: 'team/api', tags: ['1'], layers: ['base', 'api'] },
      { repository: 'other/app', tags: ['1'], layers: ['base', 'other'] },
    ],
    { layerBytes: 2048 },
  );
  api = await createApi({ config, logger: false });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await setup?.close();
  await fixture?.stop();
});

async function copy(key: keyof typeof KEYS, body: unknown) {
  const response = await fetch(`${base}/v1/images:copy`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS[key]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as { id: string; error?: { code: string } },
  };
}

/** The job once it has ended (the store's own wait: no polling, no sleeping). */
async function settled(id: string): Promise<Job> {
  const job = await api.jobs.waitFor(id, 'admin', 120_000);
  expect(['succeeded', 'failed', 'cancelled']).toContain(job.state);
  return job;
}

describe('recursive copy jobs', () => {
  it('copies every image under the source prefix as one job, with a report per image', async () => {
    const started = await copy('admin', {
      source: `${HOST}/${PROJECT}/dev/team`,
      destination: `${HOST}/${PROJECT}/prod/team`,
      recursive: true,
    });
    expect([200, 202]).toContain(started.status);
    const job = await settled(started.json.id);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ totals: { images: 2, copied: 2, skipped: 0, failed: 0 } });
    const head = await setup.registry.headManifest({
      registry: HOST,
      repository: `${PROJECT}/prod/team/web`,
      tag: 'latest',
    });
    const source = await setup.registry.headManifest({
      registry: HOST,
      repository: `${PROJECT}/dev/team/web`,
      tag: 'latest',
    });
    expect(head?.digest).toBe(source?.digest);
    expect(
      await setup.registry.headManifest({
        registry: HOST,
        repository: `${PROJECT}/prod/other/app`,
        tag: '1',
      }),
    ).toBeUndefined();
  });

  it('needs the caller’s grant on the whole destination prefix, not part of it', async () => {
    const refused = await copy('reader', {
      source: `${HOST}/${PROJECT}/dev/team`,
      destination: `${HOST}/${PROJECT}/prod/team`,
      recursive: true,
    });
    expect(refused).toMatchObject({ status: 403, json: { error: { code: 'AR_API_FORBIDDEN' } } });
  });

  it('takes a source only from an allowed host, and refuses a tag in a prefix', async () => {
    const foreign = await copy('admin', {
      source: '127.0.0.1:5000/team',
      destination: `${HOST}/${PROJECT}/prod/imported`,
      recursive: true,
    });
    expect(foreign).toMatchObject({ status: 403, json: { error: { code: 'AR_API_HOST_NOT_ALLOWED' } } });
    const tagged = await copy('admin', {
      source: `${HOST}/${PROJECT}/dev/team/web:1`,
      destination: `${HOST}/${PROJECT}/prod/team`,
      recursive: true,
    });
    expect(tagged).toMatchObject({ status: 400, json: { error: { code: 'AR_API_INVALID_REQUEST' } } });
  });
});
