import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator.js';
import { EmulatorError } from './errors.js';
import type { RequestLogLine } from './http/server.js';
import { standardSeed, startFixture, WRITER } from './testing/fixture.js';
import { makeImage, RegistryClient, sha256 } from './testing/registry-client.js';

const started: Emulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const emulator of started.splice(0)) await emulator.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gar-emulator-test-'));
  dirs.push(dir);
  return dir;
}

async function start(options: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  const emulator = await startEmulator(options);
  started.push(emulator);
  return emulator;
}

function writerClient(
  emulator: Emulator,
  key = emulator.seeded.serviceAccountKeys[WRITER]![0]!,
  location?: string,
) {
  return new RegistryClient(emulator.url(location), { username: '_json_key', password: JSON.stringify(key) });
}

describe('startEmulator', () => {
  it('keeps images, keys and tokens across a restart over the same data dir, without re-seeding', async () => {
    const dir = await dataDir();
    const first = await startEmulator({ dataDir: dir, seed: standardSeed() });
    const key = first.seeded.serviceAccountKeys[WRITER]![0]!;
    const image = makeImage();
    expect((await writerClient(first, key).pushImage('my-project/repo/app', image, 'v1')).status).toBe(201);
    const token = first.mintAccessToken(WRITER).accessToken;
    await first.stop();

    const second = await start({ dataDir: dir, seed: standardSeed() });
    expect(second.seeded.serviceAccountKeys).toEqual({});
    const client = writerClient(second, key);
    const manifest = await client.request('/v2/my-project/repo/app/manifests/v1');
    expect(manifest.headers.get('docker-content-digest')).toBe(image.digest);
    const layer = await client.request(`/v2/my-project/repo/app/blobs/${sha256(image.layers[0]!)}`);
    expect(Buffer.from(await layer.arrayBuffer()).equals(image.layers[0]!)).toBe(true);
    const direct = await fetch(`${second.url()}/v2/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(direct.status).toBe(200);
  });

  it('never makes an interrupted upload visible, and clears its leftovers at the next start', async () => {
    const dir = await dataDir();
    const first = await startEmulator({ dataDir: dir, seed: standardSeed() });
    const client = writerClient(first);
    const data = Buffer.alloc(4 * 1024 * 1024, 7);
    const opened = await client.request('/v2/my-project/repo/cut/blobs/uploads/', { method: 'POST' });
    const location = opened.headers.get('location')!;
    const abort = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= data.length / 2) {
          // Half the blob is out: cut the connection as a crashing client would.
          abort.abort();
          return;
        }
        controller.enqueue(data.subarray(sent, sent + 65536));
        sent += 65536;
      },
    });
    await expect(
      client.request(`${location}?digest=${sha256(data)}`, { method: 'PUT', body, signal: abort.signal }),
    ).rejects.toThrow();
    await first.stop();
    const second = await start({ dataDir: dir });
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    const head = await writerClient(second, first.seeded.serviceAccountKeys[WRITER]![0]!).request(
      `/v2/my-project/repo/cut/blobs/${sha256(data)}`,
      { method: 'HEAD' },
    );
    expect(head.status).toBe(404);
  });

  it('refuses a data dir another live emulator holds', async () => {
    const dir = await dataDir();
    await start({ dataDir: dir });
    await expect(startEmulator({ dataDir: dir })).rejects.toMatchObject({ code: 'AR_EMULATOR_START_FAILED' });
  });

  it('reports every seed problem at once', async () => {
    const error = await startEmulator({
      seed: {
        projects: [
          {
            id: 'Bad_Project',
            repositories: [
              { id: '9repo', location: 'us-central1', iam: [{ role: 'roles/nope', members: ['bob'] }] },
            ],
          },
        ],
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as EmulatorError).code).toBe('AR_EMULATOR_SEED_INVALID');
    const message = (error as EmulatorError).message;
    expect(message).toContain('projects[0].id');
    expect(message).toContain('projects[0].repositories[0].id');
    expect(message).toContain('projects[0].repositories[0].iam[0].role');
    expect(message).toContain('projects[0].repositories[0].iam[0].members');
  });

  it('refuses invalid options with a stable code', async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toMatchObject({
      code: 'AR_EMULATOR_OPTIONS_INVALID',
    });
    await expect(startEmulator({ locations: ['Not A Location'] })).rejects.toMatchObject({
      code: 'AR_EMULATOR_OPTIONS_INVALID',
    });
  });

  it('serves one location per port and any location by AR Host header', async () => {
    const seed = standardSeed();
    seed.projects![0]!.repositories!.push({
      id: 'eu',
      location: 'europe-west1',
      iam: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] }],
    });
    const emulator = await start({ seed, locations: ['us-central1', 'europe-west1'] });
    const key = emulator.seeded.serviceAccountKeys[WRITER]![0]!;
    expect(emulator.url('europe-west1')).not.toBe(emulator.url('us-central1'));
    const eu = writerClient(emulator, key, 'europe-west1');
    expect((await eu.pushBlob('my-project/eu/app', Buffer.from('in europe'))).status).toBe(201);
    const wrongPort = await writerClient(emulator, key).request('/v2/my-project/eu/app/tags/list');
    expect(wrongPort.status).toBe(403);
    const token = emulator.mintAccessToken(WRITER).accessToken;
    const byHost = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          `${emulator.url()}/v2/my-project/eu/app/blobs/${sha256('in europe')}`,
          {
            method: 'HEAD',
            headers: { Host: 'europe-west1-docker.pkg.dev', Authorization: `Bearer ${token}` },
          },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(byHost).toBe(200);
  });

  it('answers 429 with Retry-After once a caller passes the rate limit', async () => {
    const emulator = await start({ seed: standardSeed(), rateLimit: { requestsPerSecond: 0.5, burst: 2 } });
    const token = emulator.mintAccessToken(WRITER).accessToken;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${emulator.url()}/v2/`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe(
          'TOOMANYREQUESTS',
        );
      } else await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('serves HTTPS with a CA written to the data dir', async () => {
    const emulator = await start({ tls: true });
    expect(emulator.url()).toMatch(/^https:\/\//);
    const ca = await readFile(emulator.caCertPath!);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${emulator.url()}/v2/`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
  });

  it('logs one line per request with the principal and no secret', async () => {
    const lines: RequestLogLine[] = [];
    const fx = await startFixture({ log: (line) => lines.push(line) });
    started.push(fx.emulator);
    const token = fx.emulator.mintAccessToken(WRITER).accessToken;
    await fx.writer().pushBlob('my-project/repo/logged', Buffer.from('log me'));
    const viaQuery = await fetch(`${fx.emulator.url()}/tokeninfo?access_token=${token}`);
    await viaQuery.body?.cancel();
    const text = lines.map((line) => JSON.stringify(line)).join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain('PRIVATE KEY');
    expect(lines.some((line) => line.principal === `serviceAccount:${WRITER}` && line.status === 201)).toBe(
      true,
    );
    expect(lines.find((line) => line.path.startsWith('/tokeninfo'))?.path).toBe('/tokeninfo');
  });
});
