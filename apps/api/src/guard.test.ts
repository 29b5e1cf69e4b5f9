// Failed authentication is limited per client address (issue 16, item 3). Requests go through
// Fastify's inject, which sets the TCP peer address; nothing upstream is contacted: every call
// here is refused or answered before a registry would be.

import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../test/helpers.js';
import { type ApiService, createApi } from './app.js';

const KEY = 'the-right-key-0123456789';
const LIMIT = 5;

function start(api: Record<string, unknown> = {}): Promise<ApiService> {
  const home = join(tmpdir(), 'ar-api-guard-never-created');
  const { config } = resolveConfig({
    homeDir: home,
    cwd: home,
    configFile: false,
    env: {},
    overrides: {
      auth: { accessToken: 'unused' },
      api: {
        callers: [{ name: 'bot', apiKeySha256: sha256Hex(KEY), grants: [] }],
        rateLimit: { failedAuthPerMinute: LIMIT },
        ...api,
      },
    },
  });
  return createApi({ config, logger: false });
}

// Built once, in the hook (the slow part on a loaded machine); each test uses its own addresses.
let plain: ApiService;
let proxied: ApiService;
let tight: ApiService;
beforeAll(async () => {
  [plain, proxied, tight] = await Promise.all([
    start(),
    start({ trustedProxies: ['10.0.0.0/8'] }),
    start({ rateLimit: { failedAuthPerMinute: LIMIT, perMinute: 2 } }),
  ]);
  await Promise.all([plain, proxied, tight].map((service) => service.app.ready()));
});
afterAll(async () => {
  await Promise.all([plain, proxied, tight].map((service) => service?.close()));
});

/** A route that needs a caller and no upstream: an unknown job is 404 once authenticated. */
async function getJob(service: ApiService, from: string, key: string, headers: Record<string, string> = {}) {
  const response = await service.app.inject({
    method: 'GET',
    url: `/v1/jobs/${randomUUID()}`,
    remoteAddress: from,
    headers: { authorization: `Bearer ${key}`, ...headers },
  });
  return { status: response.statusCode, headers: response.headers, json: response.json() };
}

describe('failed authentication', () => {
  it('is limited per client address: 429 with Retry-After, even for a right key, while another address is unaffected', async () => {
    const attacker = '203.0.113.7';
    for (let attempt = 1; attempt <= LIMIT; attempt++)
      expect((await getJob(plain, attacker, `guess-${attempt}`)).status).toBe(401);

    const refused = await getJob(plain, attacker, 'guess-next');
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatchObject({ code: 'AR_API_RATE_LIMITED', requestId: expect.any(String) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // A guess that happens to be right is not even checked.
    expect((await getJob(plain, attacker, KEY)).status).toBe(429);

    const other = await getJob(plain, '198.51.100.20', KEY);
    expect([other.status, other.json.error.code]).toEqual([404, 'AR_API_JOB_NOT_FOUND']);
  });

  it('is not fooled by a forged X-Forwarded-For when no proxy is trusted', async () => {
    for (let attempt = 1; attempt <= LIMIT; attempt++)
      await getJob(plain, '203.0.113.9', 'guess', { 'x-forwarded-for': `192.0.2.${attempt}` });
    const next = await getJob(plain, '203.0.113.9', 'guess', { 'x-forwarded-for': '192.0.2.200' });
    expect(next.status).toBe(429);
  });

  it('counts the address the trusted proxy saw, so clients behind one load balancer are told apart', async () => {
    const proxy = '10.0.0.2';
    for (let attempt = 1; attempt <= LIMIT; attempt++)
      await getJob(proxied, proxy, 'guess', { 'x-forwarded-for': '203.0.113.7' });
    expect((await getJob(proxied, proxy, KEY, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    expect((await getJob(proxied, proxy, KEY, { 'x-forwarded-for': '198.51.100.20' })).status).toBe(404);
  });
});

describe('the per-caller budget', () => {
  it('is api.rateLimit.perMinute from the config', async () => {
    expect((await getJob(tight, '198.51.100.20', KEY)).status).toBe(404);
    expect((await getJob(tight, '198.51.100.21', KEY)).status).toBe(404);
    const third = await getJob(tight, '198.51.100.22', KEY);
    expect([third.status, third.json.error.code]).toEqual([429, 'AR_API_RATE_LIMITED']);
  });
});
