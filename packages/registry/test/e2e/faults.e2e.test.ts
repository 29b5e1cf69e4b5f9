import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isArError } from '@ar/errors';
import { type FaultProxy, startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/copy.js';
import type { CredentialProvider } from '../../src/http/auth.js';
import type { RequestLogEvent } from '../../src/http/log.js';
import { admin, credential, env, makeClient, tempDir, unique } from './helpers.js';

let proxy: FaultProxy;
let provider: CredentialProvider;
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  proxy = await startFaultProxy({ target: `http://${env.registry}` });
  provider = (await credential()).provider;
  dir = await tempDir();
});
afterEach(() => {
  // A rule left unspent means the test did not exercise the failure it claims to.
  expect(proxy.pending()).toBe(0);
});
afterAll(async () => {
  await proxy?.stop();
  await dir?.remove();
});

async function image(layerSizes: number[]) {
  const path = join(dir.path, unique('img'));
  const built = await writeOciLayoutImage(path, { layerSizes, tag: 'v1' });
  return { path, built };
}

describe('through a fault-injecting proxy', () => {
  it('pushes and pulls with identical digests despite 500/502/503, 429 with Retry-After and dropped connections', async () => {
    const { path, built } = await image([300_000, 200_000, 1000]);
    const events: RequestLogEvent[] = [];
    const client = makeClient(provider, { log: (e) => events.push(e), concurrency: 2 });
    const repo = `${proxy.host}/${unique('faults')}`;
    proxy.inject(
      { method: 'HEAD', path: /\/blobs\//, fault: { kind: 'status', status: 503 } },
      { method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 502 } },
      { method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 429, retryAfter: 1 } },
      // The upload body is cut mid-way: AR cannot resume, so the client restarts with a new POST.
      { method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'drop-request', afterBytes: 100_000 } },
      { method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 500 } },
    );
    const pushed = await copy(client, `oci:${path}:v1`, `${repo}:v1`);
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(4);
    const honoured = retries.find((e) => e.type === 'retry' && e.reason === 'HTTP 429');
    expect(honoured && honoured.type === 'retry' && honoured.delayMs).toBeGreaterThanOrEqual(1000);

    proxy.inject(
      { method: 'GET', path: /\/manifests\//, fault: { kind: 'status', status: 503 } },
      // Cut mid-body twice: the client resumes with Range from the last byte it got.
      {
        method: 'GET',
        path: new RegExp(`/blobs/${built.blobs[0]}$`),
        fault: { kind: 'drop-response', afterBytes: 50_000 },
        times: 2,
      },
      { method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'delay', ms: 50 } },
    );
    const out = join(dir.path, unique('pulled'));
    const pulled = await copy(client, `${repo}:v1`, `oci:${out}`);
    expect(pulled.images[0]?.digest).toBe(built.root.digest);
    expect((await readdir(join(out, 'blobs/sha256'))).sort()).toEqual(
      (await readdir(join(path, 'blobs/sha256'))).sort(),
    );
    // The resumed requests asked for the rest only.
    expect(proxy.exchanges.filter((e) => e.method === 'GET' && e.status === 206)).toHaveLength(2);
    await client.close();
  });

  it('rejects a corrupt blob from the server and writes nothing', async () => {
    const { path, built } = await image([64_000]);
    const layer = built.blobs[0] ?? '';
    const client = makeClient(provider);
    const repo = `${proxy.host}/${unique('corrupt')}`;
    await copy(client, `oci:${path}:v1`, `${repo}:v1`);
    proxy.inject({
      method: 'GET',
      path: new RegExp(`/blobs/${layer}$`),
      fault: { kind: 'corrupt-response', atByte: 1234 },
    });
    const out = join(dir.path, unique('never'));
    const error = await copy(client, `${repo}:v1`, `oci:${out}`, { concurrency: 1 }).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_DIGEST_MISMATCH')).toBe(true);
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(dir.path)).filter((name) => name.includes('ar-tmp'))).toEqual([]);
    await client.close();
  });

  it('refreshes the token when the registry answers 401 mid-push, replaying the upload from its source', async () => {
    const { allowed, provider: counted } = await credential();
    let asks = 0;
    let refreshes = 0;
    const client = makeClient(async (host, options) => {
      asks++;
      if (options.forceRefresh) refreshes++;
      return counted(host, options);
    });
    const { path, built } = await image([150_000]);
    const repo = `${proxy.host}/${unique('refresh')}`;
    const realm = `${env.tokenServer}/token`;
    proxy.inject({
      method: 'PUT',
      path: /\/blobs\/uploads\//,
      fault: {
        kind: 'status',
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="${realm}",service="${env.tokenService}",scope="repository:${repo.slice(proxy.host.length + 1)}:pull,push"`,
        },
      },
    });
    const pushed = await copy(client, `oci:${path}:v1`, `${repo}:v1`, { concurrency: 1 });
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    expect(refreshes).toBe(1);
    expect(asks).toBeGreaterThanOrEqual(2);
    const minted = (await admin.requests()).filter((r) => r.credentialId === allowed.id && r.status === 200);
    expect(minted.length).toBeGreaterThanOrEqual(2);
    await client.close();
  });

  it('does not fail a push whose tokens expire during it (2-second tokens, slow uploads)', async () => {
    const { allowed, provider: shortLived } = await credential({ tokenTtlSeconds: 2 });
    const client = makeClient(shortLived, { concurrency: 1 });
    const { path, built } = await image([1000, 2000, 3000]);
    const repo = `${proxy.host}/${unique('ttl')}`;
    // Each upload waits 1.5 s: the push outlives several tokens.
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'delay', ms: 1500 }, times: 3 });
    const pushed = await copy(client, `oci:${path}:v1`, `${repo}:v1`);
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    const minted = (await admin.requests()).filter((r) => r.credentialId === allowed.id && r.status === 200);
    expect(minted.length).toBeGreaterThanOrEqual(3);
    await client.close();
  });
});

describe('permissions', () => {
  it('a reader-only credential cannot push: AR_REGISTRY_DENIED naming the repository and role, and no tag appears', async () => {
    const writer = makeClient(provider);
    const { path } = await image([500]);
    const name = unique('perm');
    const repo = `${env.registry}/${name}`;
    await copy(writer, `oci:${path}:v1`, `${repo}:v1`);
    const { provider: readerProvider } = await credential({ access: { actions: ['pull'] } });
    const reader = makeClient(readerProvider);
    const other = await image([600]);
    const error = await copy(reader, `oci:${other.path}:v1`, `${repo}:v2`).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_DENIED')).toBe(true);
    expect((error as Error).message).toContain(repo);
    expect((error as Error).message).toContain('roles/artifactregistry.writer');
    expect(await writer.headManifest(`${repo}:v2`)).toBeUndefined();
    // Pulling is allowed.
    const pulled = await copy(reader, `${repo}:v1`, `oci:${join(dir.path, unique('r'))}`);
    expect(pulled.images).toHaveLength(1);
    await writer.close();
    await reader.close();
  });

  it('an unknown credential is AR_REGISTRY_UNAUTHORIZED', async () => {
    const client = makeClient(async () => ({ username: 'oauth2accesstoken', password: 'ya29.not-a-token' }));
    const error = await client.getManifest(`${env.registry}/${unique('x')}:v1`).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_UNAUTHORIZED')).toBe(true);
    expect((error as Error).message).not.toContain('ya29.not-a-token');
    await client.close();
  });
});
