import { resolveConfig } from '@ar/config';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../test/helpers.js';
import { type ApiService, createApi } from './app.js';

const PROJECT = 'api-prune';
const HOST = 'us-west1-docker.pkg.dev';
const DAY = 86_400_000;
const KEYS = { admin: 'key-admin-0123456789', writer: 'key-writer-0123456789' };
const POLICIES = [
  { name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '30d' } },
];
let fixture: TestEmulator;
let api: ApiService;
let base: string;

/** Pushes a version uploaded `ageDays` ago (the emulator's clock moved back meanwhile). */
const push = (ageDays: number, tag?: string): Promise<string> =>
  fixture.aged(ageDays * DAY, () => fixture.pushImage('api-svc', `${PROJECT}/tidy/app`, tag));

async function prune(key: string, body: unknown) {
  const response = await fetch(`${base}/v1/repositories/us-west1/${PROJECT}/tidy:prune`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
  return { status: response.status, json: (await response.json()) as any };
}

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'api-svc': 'roles/artifactregistry.admin' },
    repositories: ['tidy'],
    cleanupIntervalSeconds: 0,
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
            name: 'writer',
            apiKeySha256: sha256Hex(KEYS.writer),
            grants: [{ prefix: `${HOST}/${PROJECT}`, role: 'write' }],
          },
        ],
      },
    },
  });
  api = await createApi({ config, logger: false });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await api?.close();
  await fixture?.stop();
});

describe('POST /v1/repositories/L/P/R:prune', () => {
  it('plans by default, deletes with dryRun false, for the admin role only', async () => {
    const old = await push(60);
    const tagged = await push(50, 'v1');
    const fresh = await push(1);
    expect((await prune(KEYS.writer, { policies: POLICIES })).status).toBe(403);
    const planned = await prune(KEYS.admin, { policies: POLICIES });
    expect(planned.status).toBe(200);
    expect(planned.json.applied).toBe(false);
    const actions = Object.fromEntries(
      planned.json.versions.map((v: { digest: string; action: string; protectedBy: string | null }) => [
        v.digest,
        `${v.action}${v.protectedBy ? `:${v.protectedBy}` : ''}`,
      ]),
    );
    expect(actions).toEqual({ [old]: 'delete', [tagged]: 'keep:tagged', [fresh]: 'keep' });
    const applied = await prune(KEYS.admin, { policies: POLICIES, dryRun: false });
    expect(applied.status).toBe(200);
    expect(applied.json.kind).toBe('prune');
    expect(applied.json.state).toBe('succeeded');
    expect(applied.json.result.applied).toBe(true);
    expect(applied.json.result.versions.find((v: { digest: string }) => v.digest === old).action).toBe(
      'deleted',
    );
    const again = await prune(KEYS.admin, { policies: POLICIES });
    expect(again.json.versions.map((v: { digest: string }) => v.digest).sort()).toEqual(
      [tagged, fresh].sort(),
    );
  });

  it('refuses a policy gcloud would refuse (400 with the problem)', async () => {
    const bad = await prune(KEYS.admin, {
      policies: [{ name: 'x', action: { type: 'Delete' }, mostRecentVersions: { keepCount: 1 } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('AR_CLEANUP_POLICY_INVALID');
  });
});
