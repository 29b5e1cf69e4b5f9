// Promotion across registries through the service: from the emulator (standing in for
// us-west1-docker.pkg.dev) to the CNCF distribution registry with token auth that
// scripts/e2e-env.sh starts, and back. Run with `npm run test:e2e -w @ar/api` under the e2e env.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ArResolvedConfig, resolveConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { RegistryClient } from '@ar/registry';
import { e2eEnv, tokenAdminClient, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiService, createApi } from '../../src/index.js';

const env = e2eEnv();
const admin = tokenAdminClient(env.tokenAdmin);
const PROJECT = 'api-e2e-tests';
const HOST = 'us-west1-docker.pkg.dev';
const KEY = 'e2e-promoter-key-0123456789';
let fixture: TestEmulator;
let config: ArResolvedConfig;
let setup: ArClient;
let api: ApiService;
let base: string;
let other: RegistryClient;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'api-e2e-svc': 'roles/artifactregistry.admin' },
    repositories: ['staging', 'releases'],
  });
  const { work } = fixture;
  // The service reaches the other registry with Docker's credentials, as any non-Google host.
  const allowed = await admin.allow({ kind: 'access_token' });
  const dockerDir = join(work, 'docker');
  mkdirSync(dockerDir);
  const auth = Buffer.from(`${allowed.username}:${allowed.password}`).toString('base64');
  writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: { [env.registry]: { auth } } }));
  const atEmulator = fixture.clientConfig('api-e2e-svc');
  config = resolveConfig({
    ...fixture.isolatedUser,
    overrides: {
      ...atEmulator,
      registries: {
        ...atEmulator.registries,
        [env.registry]: { endpoint: `http://${env.registry}`, insecure: true },
      },
      docker: { configDir: dockerDir },
      api: {
        // The token-auth registry's realm is on another port: it must be allowed, like the registry.
        allowedHosts: [HOST, env.registry, new URL(env.tokenServer).host],
        callers: [
          {
            name: 'promoter',
            apiKeySha256: createHash('sha256').update(KEY).digest('hex'),
            grants: [
              { prefix: `${HOST}/${PROJECT}`, role: 'write' },
              { prefix: `${env.registry}/promoted`, role: 'write' },
            ],
          },
        ],
      },
    },
  }).config;
  setup = createClient(config);
  other = new RegistryClient({
    credentials: async () => ({ username: allowed.username, password: allowed.password }),
    registries: { [env.registry]: { endpoint: `http://${env.registry}`, insecure: true } },
  });
  await writeOciLayoutImage(join(work, 'app'), { layerSizes: [64 * 1024, 16 * 1024] });
  await setup.push(`oci:${join(work, 'app')}`, `${HOST}/${PROJECT}/staging/app:1`);
  api = await createApi({ config, logger: false, copyWaitMs: 0 });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await setup?.close();
  await other?.close();
  await fixture?.stop();
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Resolves once the job has ended (at once if it already has): the store's event, no polling. */
function settled(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const on = (job: { id: string }) => {
      if (job.id !== id) return;
      api.jobs.off('settled', on);
      resolve();
    };
    // Listening first: the job may end while the store is asked.
    api.jobs.on('settled', on);
    api.jobs.get(id, 'promoter').then((now) => {
      if (now.state === 'running') return;
      api.jobs.off('settled', on);
      resolve();
    }, reject);
  });
}

describe('copy across registries', () => {
  it('promotes from Artifact Registry to a token-auth registry as a job, digest for digest, and back', async () => {
    const source = `${HOST}/${PROJECT}/staging/app:1`;
    const outside = `${env.registry}/promoted/app:1`;
    const started = await post('/v1/images:copy', { source, destination: outside });
    expect(started.status).toBe(202);
    await settled(started.json.id as string);
    const job = await fetch(`${base}${started.json.url}`, { headers: { authorization: `Bearer ${KEY}` } });
    const body = (await job.json()) as { state: string; result: { images: Array<{ digest: string }> } };
    expect(body.state).toBe('succeeded');
    const expected = (await setup.images.describe(source)).digest;
    expect(body.result.images[0]!.digest).toBe(expected);
    expect((await other.getManifest(outside)).digest).toBe(expected);

    const back = await post('/v1/images:copy', {
      source: outside,
      destination: `${HOST}/${PROJECT}/releases/app:1`,
    });
    await settled(back.json.id as string);
    expect((await setup.images.describe(`${HOST}/${PROJECT}/releases/app:1`)).digest).toBe(expected);
  });

  it('refuses a destination outside the caller grant on the other registry', async () => {
    const refused = await post('/v1/images:copy', {
      source: `${HOST}/${PROJECT}/staging/app:1`,
      destination: `${env.registry}/elsewhere/app:1`,
    });
    expect(refused.status).toBe(403);
  });
});
