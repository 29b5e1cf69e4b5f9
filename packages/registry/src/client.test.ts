import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulatorFixture } from '../test/support/emulator-fixture.js';
import { RegistryClient, registryClientOptionsFromConfig } from './client.js';
import { copy } from './copy.js';
import { DigestVerifier, sha256 } from './digest.js';
import { redactUrl } from './http/log.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startEmulatorFixture();
});
afterAll(async () => {
  await fx?.stop();
});

describe('RegistryClient', () => {
  it('takes transfer and registries settings from the resolved config', () => {
    const { config } = resolveConfig({
      env: {},
      configFile: false,
      overrides: {
        transfer: { concurrency: 7, retries: 2, requestTimeoutSeconds: 9 },
        registries: { 'emu:1': { endpoint: 'http://127.0.0.1:9', insecure: true } },
      },
    });
    const options = registryClientOptionsFromConfig(config);
    expect(options).toMatchObject({ concurrency: 7, requestTimeoutMs: 9000, retry: { retries: 2 } });
    const client = new RegistryClient(options);
    expect(client.baseUrl('emu:1').href).toBe('http://127.0.0.1:9/');
    expect(client.concurrency).toBe(7);
  });

  it('redacts upload state and signatures from logged URLs, keeping what helps debugging', () => {
    const url = new URL(
      'https://u:p@r.example/v2/a/blobs/uploads/x?_state=SECRET&digest=sha256:1&X-Goog-Signature=abc',
    );
    const text = redactUrl(url);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('abc');
    expect(text).not.toContain('u:p');
    expect(text).toContain('digest=sha256%3A1');
  });

  it('verifies digest and size while streaming', async () => {
    const data = Buffer.from('hello');
    const pass = async (digest: string, size: number) => {
      const verifier = new DigestVerifier(digest, size, 'test blob');
      verifier.end(data);
      for await (const _ of verifier);
    };
    await expect(pass(sha256(data), 5)).resolves.toBeUndefined();
    await expect(pass(sha256('other'), 5)).rejects.toMatchObject({ code: 'AR_REGISTRY_DIGEST_MISMATCH' });
    await expect(pass(sha256(data), 4)).rejects.toMatchObject({ code: 'AR_REGISTRY_SIZE_MISMATCH' });
    await expect(pass(sha256(data), 6)).rejects.toMatchObject({ code: 'AR_REGISTRY_SIZE_MISMATCH' });
  });

  // A corrupt body (bytes that do not hash to the digest) is tested in test/e2e/faults.e2e.test.ts,
  // through the fault proxy in front of the distribution registry.
  it('fails a pulled blob with more bytes than its descriptor says, as they arrive', async () => {
    const client = fx.client(fx.writer);
    const src = join(fx.dir, 'verify-src');
    const built = await writeOciLayoutImage(src, { layerSizes: [200_000], tag: 'v1' });
    await copy(client, `oci:${src}:v1`, `${fx.host}/my-project/repo/verify:v1`);
    const digest = built.blobs[0] ?? '';
    const size = (await stat(join(src, 'blobs/sha256', digest.slice(7)))).size;
    const repo = { registry: fx.host, repository: 'my-project/repo/verify' };
    const read = async (claimed: number) => {
      let bytes = 0;
      for await (const chunk of await client.openBlob(repo, { mediaType: 'x', digest, size: claimed }))
        bytes += (chunk as Buffer).length;
      return bytes;
    };
    await expect(read(size)).resolves.toBe(size);
    await expect(read(size - 1)).rejects.toMatchObject({ code: 'AR_REGISTRY_SIZE_MISMATCH' });
  });

  it('stops a copy when its AbortSignal fires and writes nothing', async () => {
    const client = fx.client(fx.writer);
    const src = join(fx.dir, 'abort-src');
    const built = await writeOciLayoutImage(src, { layerSizes: [100_000], tag: 'v1' });
    await copy(client, `oci:${src}:v1`, `${fx.host}/my-project/repo/abort:v1`);
    const proxy = await startFaultProxy({ target: fx.emulator.url() });
    try {
      // The layer's download stalls in the proxy until the copy is aborted.
      proxy.inject({
        method: 'GET',
        path: new RegExp(`/blobs/${built.blobs[0]}$`),
        fault: { kind: 'delay', ms: 60_000 },
      });
      const controller = new AbortController();
      const out = join(fx.dir, 'abort-out');
      const pending = copy(client, `${proxy.host}/my-project/repo/abort:v1`, `oci:${out}`, {
        signal: controller.signal,
      });
      while (proxy.pending() > 0) await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'AR_REGISTRY_ABORTED' });
      await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await proxy.stop();
    }
  });

  it("sends through an injected undici dispatcher, composed with the caller's interceptors", async () => {
    const seen: string[] = [];
    const agent = new Agent();
    const recording: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
      seen.push(`${options.method} ${options.path}`);
      return dispatch(options, handler);
    };
    const client = new RegistryClient({ dispatcher: agent.compose(recording), credentials: fx.reader });
    try {
      await client.listTags({ registry: fx.host, repository: 'my-project/repo/abort' });
      expect(seen).toContain('GET /v2/my-project/repo/abort/tags/list');
    } finally {
      await client.close();
      // An injected dispatcher belongs to its owner: close() left it open.
      expect(agent.closed).toBe(false);
      await agent.close();
    }
  });
});
