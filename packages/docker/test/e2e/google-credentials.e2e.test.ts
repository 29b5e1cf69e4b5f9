import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eEnv, tokenAdminClient } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/index.js';
import { loadFreshImage, testConfig, writeDockerLogin } from './helpers.js';

/**
 * Google credentials go only to Google hosts. The "Google" token here is an access token the
 * token server knows (so a leak would be accepted and show up in its log under that
 * credential), configured as gar's `auth.accessToken`; Docker's config.json holds a different
 * login for the registry. Against a plain host the engine must use config.json's login; once
 * the config marks the host as Google's, the Google token.
 */
describe('credentials per host', () => {
  const env = e2eEnv();
  const admin = tokenAdminClient(env.tokenAdmin);
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ar-docker-e2e-google-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('never sends Google credentials to a non-Google registry, and sends them to a Google one', async () => {
    const google = await admin.allow({ kind: 'access_token', subject: 'google-token@e2e' });
    const dockerLogin = await admin.allow({ kind: 'access_token', subject: 'docker-login@e2e' });
    await writeDockerLogin(join(home, '.docker'), env.registry, dockerLogin);
    const base = {
      docker: { host: env.dockerHost },
      auth: { sources: ['access-token' as const], accessToken: google.token! },
    };

    const plain = createDockerClient(testConfig(home, base));
    const archive = await loadFreshImage(plain);
    await plain.push(`${env.registry}/e2e-google/plain:1`, { source: archive.imageId });
    await plain.pull(`${env.registry}/e2e-google/plain:1`);
    await plain.close();

    let requests = await admin.requests();
    expect(
      requests.filter((r) => r.credentialId === dockerLogin.id && r.status === 200).length,
    ).toBeGreaterThan(0);
    expect(requests.filter((r) => r.credentialId === google.id)).toEqual([]);

    const marked = createDockerClient(
      testConfig(home, { ...base, registries: { [env.registry]: { google: true } } }),
    );
    await marked.push(`${env.registry}/e2e-google/marked:1`, { source: archive.imageId });
    await marked.close();
    requests = await admin.requests();
    expect(requests.filter((r) => r.credentialId === google.id && r.status === 200).length).toBeGreaterThan(
      0,
    );
  });
});
