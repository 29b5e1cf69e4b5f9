import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../test/support/http-server.js';
import { RegistryClient } from '../client.js';
import { Backoff, isRetryableStatus, retryAfterMs } from './retry.js';

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('retries 408, 429 and 5xx but not 501 or 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 501].some(isRetryableStatus)).toBe(false);
  });

  it('backs off exponentially with jitter, honours a server delay as a floor, and stops at the bound', () => {
    const backoff = new Backoff(
      { retries: 3, minDelayMs: 100, maxDelayMs: 250, maxElapsedMs: 60_000 },
      () => 1,
    );
    expect(backoff.next()).toBe(100);
    expect(backoff.next()).toBe(200);
    expect(backoff.next(5000)).toBe(5000);
    expect(backoff.next()).toBeUndefined();
    const capped = new Backoff({ retries: 5, minDelayMs: 10, maxDelayMs: 10, maxElapsedMs: 1000 }, () => 1);
    expect(capped.next(5000)).toBeUndefined();
  });
});

describe('retry layer', () => {
  it('repeats a GET on 503 and on a reset connection, then succeeds', async () => {
    let calls = 0;
    const server = await startTestServer((_req, res) => {
      calls++;
      if (calls === 1) return void res.writeHead(503).end();
      if (calls === 2) return void res.socket?.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const client = new RegistryClient({ retry: { minDelayMs: 1, maxDelayMs: 2 } });
    try {
      await client.ping(server.host);
      expect(calls).toBe(3);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('gives up after the bounded attempts with a retryable AR_REGISTRY_UNAVAILABLE', async () => {
    const server = await startTestServer((_req, res) => void res.writeHead(502).end());
    const client = new RegistryClient({ retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    try {
      await expect(client.ping(server.host)).rejects.toMatchObject({
        code: 'AR_REGISTRY_UNAVAILABLE',
        retryable: true,
        status: 502,
      });
      expect(server.requests).toHaveLength(3);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('stops waiting when the caller aborts', async () => {
    const server = await startTestServer(
      (_req, res) => void res.writeHead(503, { 'retry-after': '30' }).end(),
    );
    const client = new RegistryClient();
    const controller = new AbortController();
    try {
      const pending = client.ping(server.host, { signal: controller.signal });
      // Abort once the first answer is in, while the client waits out Retry-After.
      while (server.requests.length === 0) await new Promise((r) => setImmediate(r));
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'AR_REGISTRY_ABORTED' });
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
