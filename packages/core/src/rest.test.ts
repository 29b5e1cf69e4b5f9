// The REST client on the registry client's HTTP stack: retries, Retry-After, token refresh and
// logging, through the fault proxy in front of the emulator's Artifact Registry REST API.
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { type FaultProxy, startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from './client.js';

const PROJECT = 'rest-tests';
let fixture: TestEmulator;
let proxy: FaultProxy;
let token: string;
const clients: ReturnType<typeof createClient>[] = [];

beforeAll(async () => {
  fixture = await startTestEmulator({ project: PROJECT, repositories: ['apps'] });
  token = fixture.token('test-admin');
  const setup = client();
  const layout = join(fixture.work, 'layout');
  await writeOciLayoutImage(layout, { tag: 'v1' });
  await setup.push(`oci:${layout}:v1`, `us-west1-docker.pkg.dev/${PROJECT}/apps/app:v1`);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fixture?.stop();
});
beforeEach(async () => {
  proxy = await startFaultProxy({ target: fixture.emulator.url() });
});
afterEach(async () => {
  await proxy.stop();
});

/** A client whose REST calls go through the fault proxy (registry calls go straight to the emulator). */
function client(options: { retries?: number; log?: string[] } = {}) {
  const settings = fixture.clientConfig();
  const { config } = resolveConfig({
    ...fixture.isolatedUser,
    overrides: {
      ...settings,
      endpoints: { ...settings.endpoints, artifactRegistryUrl: proxy?.url ?? fixture.emulator.url() },
      auth: { accessToken: token },
      ...(options.retries === undefined ? {} : { transfer: { retries: options.retries } }),
    },
  });
  const log = options.log;
  const created = createClient(config, log ? { requestLog: (line) => log.push(line) } : {});
  clients.push(created);
  return created;
}

const unavailable = (path: RegExp, times: number, retryAfter?: number) =>
  proxy.inject({
    method: 'GET',
    path,
    times,
    fault: { kind: 'status', status: 503, ...(retryAfter === undefined ? {} : { retryAfter }) },
  });

describe('the REST client on the shared HTTP stack', () => {
  it('lists repositories and images when the endpoint answers 503 twice, then 200', async () => {
    const log: string[] = [];
    const c = client({ log });
    unavailable(/\/repositories\?/, 2);
    expect((await c.repositories.list()).map((r) => r.name)).toEqual([
      `projects/${PROJECT}/locations/us-west1/repositories/apps`,
    ]);
    unavailable(/\/dockerImages\?/, 2);
    expect((await c.images.list('apps')).map((i) => i.tags)).toEqual([['v1']]);
    expect(proxy.pending()).toBe(0);
    expect(proxy.exchanges.map((e) => e.status)).toEqual([503, 503, 200, 503, 503, 200]);
    // Logged as registry requests are: each attempt and each retry, no token anywhere.
    expect(log.filter((line) => line.startsWith('retry '))).toHaveLength(4);
    expect(log).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^GET ${proxy.url}/v1/projects/${PROJECT}/locations/us-west1/repositories\\?pageSize=1000 → 200 \\(\\d+ ms\\)$`,
        ),
      ),
    );
    expect(log.join('\n')).not.toContain(token);
  });

  it('waits as long as a 429 with Retry-After asks', async () => {
    const log: string[] = [];
    const c = client({ log });
    proxy.inject({
      method: 'GET',
      path: /\/repositories\?/,
      fault: { kind: 'status', status: 429, retryAfter: 1 },
    });
    const started = Date.now();
    await c.repositories.list();
    // Retry-After is a floor under the jittered backoff (at most 200 ms for a first retry).
    expect(log.find((line) => line.startsWith('retry '))).toMatch(/^retry 1 of GET .* in 1000 ms: HTTP 429$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('fails with AR_REST_UNAVAILABLE, its message kept, once the budget is spent on a permanent 503', async () => {
    const c = client({ retries: 2 });
    unavailable(/\/repositories\?/, 100);
    const error = await c.repositories.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AR_REST_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toBe(
      `GET projects/${PROJECT}/locations/us-west1/repositories?pageSize=1000: HTTP 503`,
    );
    expect(proxy.exchanges).toHaveLength(3);
  });

  it('gets a fresh token once on a 401 and replays', async () => {
    const c = client();
    proxy.inject({ method: 'GET', path: /\/repositories\//, fault: { kind: 'status', status: 401 } });
    expect((await c.repositories.describe('apps')).name).toMatch(/\/repositories\/apps$/);
    expect(proxy.exchanges.map((e) => e.status)).toEqual([401, 200]);
  });

  it('retries a repository create on 503: the caller-chosen ID makes it safe to repeat', async () => {
    const c = client();
    proxy.inject({ method: 'POST', path: /repositoryId=made$/, fault: { kind: 'status', status: 503 } });
    expect((await c.repositories.create('made')).name).toMatch(/\/repositories\/made$/);
    expect(proxy.exchanges.filter((e) => e.method === 'POST').map((e) => e.status)).toEqual([503, 200]);
  });

  it('reports an unreachable API as AR_REST_UNAVAILABLE after the retries', async () => {
    const c = client({ retries: 1 });
    await proxy.stop();
    const error = await c.repositories.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AR_REST_UNAVAILABLE' });
    expect((error as Error).message).toMatch(
      /^Cannot reach the Artifact Registry API at http:\/\/127\.0\.0\.1:\d+/,
    );
  });
});
