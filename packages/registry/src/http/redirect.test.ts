// Where the client goes when a registry points elsewhere: redirects and token realms, against the
// emulator behind the fault proxy (which answers the 3xx / 401 a hostile or storage-backed registry
// would), with loopback servers that record who contacted them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaultProxy, startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulatorFixture } from '../../test/support/emulator-fixture.js';
import { startTestServer, type TestServer } from '../../test/support/http-server.js';
import { copy } from '../copy.js';

let fx: EmulatorFixture;
let layout: string;
let root: string;
let blobs: string[];
beforeAll(async () => {
  fx = await startEmulatorFixture();
  layout = join(fx.dir, 'redirect-src');
  const built = await writeOciLayoutImage(layout, { layerSizes: [50_000] });
  root = built.root.digest;
  blobs = built.blobs;
  await copy(fx.client(fx.writer), `oci:${layout}`, `${fx.host}/my-project/repo/stored:v1`);
});
afterAll(async () => {
  await fx?.stop();
});

/** Loopback "storage" serving the layout's blobs as signed URLs would; it records every request. */
function startStorage(): Promise<TestServer> {
  return startTestServer(async (req, res) => {
    const hex = /\/signed\/sha256:([0-9a-f]{64})/.exec(req.url ?? '')?.[1];
    if (!hex) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(await readFile(join(layout, 'blobs', 'sha256', hex)));
  });
}

/** The registry sends each blob download elsewhere, as Artifact Registry sends them to GCS. */
function redirectBlobs(proxy: FaultProxy, target: string, status = 307): void {
  for (const blob of blobs)
    proxy.inject({
      method: 'GET',
      path: new RegExp(`/blobs/${blob}$`),
      fault: {
        kind: 'status',
        status,
        headers: { location: `${target}/signed/${blob}?X-Goog-Signature=abc` },
      },
    });
}

async function withServers<T>(
  body: (proxy: FaultProxy, other: TestServer) => Promise<T>,
  other: () => Promise<TestServer> = startStorage,
): Promise<T> {
  const [proxy, server] = await Promise.all([startFaultProxy({ target: fx.emulator.url() }), other()]);
  try {
    return await body(proxy, server);
  } finally {
    await Promise.all([proxy.stop(), server.stop()]);
  }
}

describe('redirects', () => {
  it('downloads blobs redirected to a storage host the policy allows, without the Authorization header', async () => {
    await withServers(async (proxy, storage) => {
      redirectBlobs(proxy, storage.url);
      const client = fx.client(fx.reader, { hostPolicy: (url) => url.host === storage.host });
      const pulled = await copy(
        client,
        `${proxy.host}/my-project/repo/stored:v1`,
        `oci:${join(fx.dir, 'via-storage')}`,
      );
      expect(pulled.images[0]?.digest).toBe(root);
      expect(proxy.pending()).toBe(0);
      expect(storage.requests.map((r) => r.url.split('?')[0]).sort()).toEqual(
        blobs.map((b) => `/signed/${b}`).sort(),
      );
      // The registry's token was on the request that was redirected, and stayed behind.
      expect(proxy.exchanges.some((e) => e.path.includes('/blobs/'))).toBe(true);
      expect(storage.requests.every((r) => r.authorization === undefined)).toBe(true);
    });
  });

  it('follows a storage redirect without a policy too (as Docker does), still without the Authorization header', async () => {
    await withServers(async (proxy, storage) => {
      redirectBlobs(proxy, storage.url, 302);
      const client = fx.client(fx.reader);
      const pulled = await copy(
        client,
        `${proxy.host}/my-project/repo/stored:v1`,
        `oci:${join(fx.dir, 'via-302')}`,
      );
      expect(pulled.images[0]?.digest).toBe(root);
      expect(storage.requests).toHaveLength(blobs.length);
      expect(storage.requests.every((r) => r.authorization === undefined)).toBe(true);
    });
  });

  it('never contacts a redirect target the policy refuses', async () => {
    await withServers(async (proxy, trap) => {
      redirectBlobs(proxy, trap.url);
      const client = fx.client(fx.reader, { hostPolicy: (url) => url.host === fx.host });
      const error = await copy(
        client,
        `${proxy.host}/my-project/repo/stored:v1`,
        `oci:${join(fx.dir, 'refused')}`,
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AR_REGISTRY_REDIRECT_NOT_ALLOWED' });
      expect((error as Error).message).not.toContain('X-Goog-Signature=abc');
      expect(trap.requests).toHaveLength(0);
    }, trapServer);
  });

  it('never lets a write leave the registry, even where the policy would allow', async () => {
    await withServers(async (proxy, trap) => {
      proxy.inject({
        method: 'PUT',
        path: /\/manifests\//,
        fault: { kind: 'status', status: 307, headers: { location: `${trap.url}/v2/x/manifests/v1` } },
      });
      const client = fx.client(fx.writer, { hostPolicy: () => true });
      const error = await copy(client, `oci:${layout}`, `${proxy.host}/my-project/repo/written:v1`).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'AR_REGISTRY_REDIRECT_NOT_ALLOWED' });
      expect(trap.requests).toHaveLength(0);
    }, trapServer);
  });
});

/** A server that must never be contacted; it records whoever does. */
function trapServer(): Promise<TestServer> {
  return startTestServer((_req, res) => void res.writeHead(500).end());
}

describe('token realms', () => {
  const GOOGLE = 'us-central1-docker.pkg.dev';

  /** The proxy answers the first manifest request with a challenge naming `realm`. */
  function challengeWithRealm(proxy: FaultProxy, realm: string): void {
    proxy.inject({
      method: 'GET',
      path: /\/manifests\//,
      fault: {
        kind: 'status',
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="${realm}",service="${GOOGLE}"` },
      },
    });
  }

  it('never sends Google credentials to a realm off Google and off the configured endpoint, nor remembers it', async () => {
    await withServers(async (proxy, trap) => {
      challengeWithRealm(proxy, `${trap.url}/token`);
      const client = fx.client(fx.reader, { registries: { [GOOGLE]: { endpoint: proxy.url } } });
      const image = `${GOOGLE}/my-project/repo/stored:v1`;
      const error = await client.getManifest(image).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AR_REGISTRY_REALM_NOT_ALLOWED' });
      expect(trap.requests).toHaveLength(0);
      // The refused realm was not learnt: the next request meets the endpoint's own token service.
      expect((await client.getManifest(image)).digest).toBe(root);
      expect(trap.requests).toHaveLength(0);
    }, trapServer);
  });

  it("refuses a non-Google registry's realm the host policy does not allow", async () => {
    await withServers(async (proxy, trap) => {
      challengeWithRealm(proxy, `${trap.url}/token`);
      const client = fx.client(fx.reader, { hostPolicy: (url) => url.host === proxy.host });
      const error = await client
        .getManifest(`${proxy.host}/my-project/repo/stored:v1`)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AR_REGISTRY_REALM_NOT_ALLOWED' });
      expect(trap.requests).toHaveLength(0);
    }, trapServer);
  });
});
