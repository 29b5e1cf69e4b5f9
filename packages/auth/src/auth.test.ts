import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isArError } from '@ar/errors';
import { describe, expect, it } from 'vitest';
import { createAuth } from './auth.js';
import { readTokenFile } from './cache/token-file.js';
import { sourceAbsent } from './errors.js';
import type { TokenSource } from './source.js';
import { gcloudSource } from './sources/gcloud.js';
import { script, tempHome } from './test/fixtures.js';

/** Nothing listens here: the metadata source finds no server at once. */
const NO_METADATA = { endpoints: { metadataHost: '127.0.0.1:9' } };

describe('the provider chain', () => {
  it('answers with a static token from the config, never caching it', async () => {
    const { config } = tempHome({ ...NO_METADATA, auth: { accessToken: 'ya29.static' } });
    const auth = createAuth(config);
    expect(await auth.accessToken()).toEqual({
      token: 'ya29.static',
      expiresAt: undefined,
      source: 'access-token',
      account: undefined,
    });
  });

  it('names no token file for a static token: there is nothing cached to read', async () => {
    const { config } = tempHome({ ...NO_METADATA, auth: { accessToken: 'ya29.static' } });
    expect(await createAuth(config).cachedTokenFile()).toBeUndefined();
  });

  it('re-reads a token file on every call, so a rotated token is picked up', async () => {
    const { home, config } = tempHome({ auth: { accessTokenFile: 'token.txt' } });
    writeFileSync(join(home, 'token.txt'), 'ya29.first\n');
    const auth = createAuth(config);
    expect((await auth.accessToken()).token).toBe('ya29.first');
    writeFileSync(join(home, 'token.txt'), 'ya29.second\n');
    expect((await auth.accessToken()).token).toBe('ya29.second');
    writeFileSync(join(home, 'token.txt'), '');
    await expect(auth.accessToken()).rejects.toMatchObject({ code: 'AR_AUTH_SOURCE_BROKEN' });
  });

  it('follows the configured order and tells which sources it skipped and why', async () => {
    const { config } = tempHome({
      ...NO_METADATA,
      auth: { sources: ['adc', 'metadata', 'access-token'], accessToken: 'ya29.x' },
    });
    const description = await createAuth(config).describe();
    expect(description.source).toBe('access-token');
    expect(description.skipped.map((s) => s.source)).toEqual(['adc', 'metadata']);
    expect(description.skipped[0]?.reason).toMatch(/application_default_credentials\.json does not exist/);
    expect(description.skipped[1]?.reason).toBe('no metadata server answers at 127.0.0.1:9');
  });

  it('stops at a source that is present but broken instead of falling through to another identity', async () => {
    const { home, config } = tempHome({
      ...NO_METADATA,
      auth: {
        sources: ['service-account-key', 'access-token'],
        credentialsFile: 'key.json',
        accessToken: 'ya29.other',
      },
    });
    writeFileSync(join(home, 'key.json'), '{"type": "service_account", "client_email": ');
    const error = await createAuth(config)
      .accessToken()
      .catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_SOURCE_BROKEN')).toBe(true);
    expect((error as Error).message).toContain(join(home, 'key.json'));
    expect((error as Error).message).toContain('not valid JSON');
  });

  it('says what it tried, and what to do, when no source applies', async () => {
    const { config } = tempHome(NO_METADATA);
    const error = await createAuth(config)
      .accessToken()
      .catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_NO_CREDENTIALS')).toBe(true);
    expect((error as Error).message).toMatch(
      /access-token: no static access token[\s\S]*service-account-key: no key file[\s\S]*adc: [\s\S]*metadata: no metadata server answers at 127\.0\.0\.1:9[\s\S]*GOOGLE_APPLICATION_CREDENTIALS/,
    );
  });

  it('takes third-party sources through the same interface, by name', async () => {
    const vault: TokenSource = {
      name: 'vault',
      async detect() {
        return {
          source: 'vault',
          account: 'robot@p.iam.gserviceaccount.com',
          identity: 'vault:robot',
          origin: 'vault://secret/gar',
          cacheable: true,
          fetchToken: async () => ({ token: 'ya29.vault', expiresAt: Date.now() + 3_600_000 }),
        };
      },
    };
    const absent: TokenSource = {
      name: 'absent',
      detect: async () => {
        throw sourceAbsent('not configured');
      },
    };
    const { config } = tempHome();
    const auth = createAuth(
      { ...config, auth: { ...config.auth, sources: ['absent', 'vault'] as never } },
      { sources: [absent, vault] },
    );
    expect(await auth.accessToken()).toMatchObject({
      token: 'ya29.vault',
      source: 'vault',
      account: 'robot@p.iam.gserviceaccount.com',
    });
  });
});

describe('the gcloud source', () => {
  function fakeGcloud(home: string, expiry: string) {
    const log = join(home, 'gcloud-calls.log');
    const gcloud = script(
      home,
      'gcloud',
      `echo "$@" >> ${log}
cat <<'JSON'
{"configuration": {"active_configuration": "work", "properties": {"core": {"account": "dev@example.com"}}},
 "credential": {"access_token": "ya29.from-gcloud", "token_expiry": "${expiry}"}}
JSON`,
    );
    mkdirSync(join(home, '.config', 'gcloud', 'configurations'), { recursive: true });
    writeFileSync(join(home, '.config', 'gcloud', 'active_config'), 'work');
    writeFileSync(
      join(home, '.config', 'gcloud', 'configurations', 'config_work'),
      '[core]\naccount = dev@example.com\n',
    );
    return { gcloud, log };
  }

  it('asks gcloud config config-helper once, then serves the token from the cache', async () => {
    const { home, config } = tempHome({ auth: { sources: ['gcloud'] } });
    const expiry = new Date(Date.now() + 3_600_000).toISOString();
    const { gcloud, log } = fakeGcloud(home, expiry);
    const auth = createAuth(config, { sources: [gcloudSource({ command: gcloud })] });
    const token = await auth.accessToken();
    expect(token).toEqual({
      token: 'ya29.from-gcloud',
      expiresAt: Date.parse(expiry),
      source: 'gcloud',
      account: 'dev@example.com',
    });
    await createAuth(config, { sources: [gcloudSource({ command: gcloud })] }).accessToken();
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['config config-helper --format=json']);
  });

  it('names the token file and the gcloud files the identity came from, for a later reader', async () => {
    const { home, config } = tempHome({ auth: { sources: ['gcloud'] } });
    const { gcloud } = fakeGcloud(home, new Date(Date.now() + 3_600_000).toISOString());
    const auth = createAuth(config, { sources: [gcloudSource({ command: gcloud })] });
    const token = await auth.accessToken();
    const location = await auth.cachedTokenFile();
    const gcloudDir = join(home, '.config', 'gcloud');
    expect(location).toMatchObject({
      source: 'gcloud',
      account: 'dev@example.com',
      marginMs: config.auth.refreshMarginSeconds * 1000,
      dependsOn: [join(gcloudDir, 'active_config'), join(gcloudDir, 'configurations', 'config_work')],
    });
    expect(readTokenFile(location!.file)).toMatchObject({ token: token.token, expiresAt: token.expiresAt });
  });

  it('is absent when gcloud is not installed', async () => {
    const { home, config } = tempHome({ ...NO_METADATA, auth: { sources: ['gcloud'] } });
    const auth = createAuth(config, { sources: [gcloudSource({ command: join(home, 'no-gcloud') })] });
    await expect(auth.accessToken()).rejects.toThrow(/gcloud: .*no-gcloud is not installed/);
  });

  it('reports gcloud refusing, with its own last line and what to do', async () => {
    const { home, config } = tempHome({ auth: { sources: ['gcloud'] } });
    const gcloud = script(
      home,
      'gcloud',
      'echo "ERROR: (gcloud.config.config-helper) You do not currently have an active account selected." >&2; exit 1',
    );
    const error = await createAuth(config, { sources: [gcloudSource({ command: gcloud })] })
      .accessToken()
      .catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_TOKEN_REFUSED')).toBe(true);
    expect((error as Error).message).toContain('You do not currently have an active account selected');
    expect((error as Error).message).toContain('gcloud auth login');
  });
});

describe('registry credentials', () => {
  it('gives Google hosts a token under the configured username', async () => {
    const { config } = tempHome({ auth: { accessToken: 'ya29.t', registryUsername: '_dcgcloud_token' } });
    const auth = createAuth(config);
    expect(await auth.registryCredential('https://us-west1-docker.pkg.dev/v2/')).toEqual({
      username: '_dcgcloud_token',
      password: 'ya29.t',
    });
  });

  it('never sends Google credentials to another host, even a look-alike', async () => {
    const { config } = tempHome({ auth: { accessToken: 'ya29.secret' } });
    const auth = createAuth(config);
    for (const host of [
      'docker.pkg.dev.evil.com',
      'evil-docker.pkg.dev.attacker.io',
      'ghcr.io',
      'localhost:5000',
    ]) {
      expect(await auth.registryCredential(host)).toBeUndefined();
    }
  });

  it('treats a host the config marks as Google (the emulator) as Google', async () => {
    const { config } = tempHome({
      auth: { accessToken: 'ya29.t' },
      registries: { '127.0.0.1:5005': { google: true } },
    });
    expect(await createAuth(config).registryCredential('127.0.0.1:5005')).toEqual({
      username: 'oauth2accesstoken',
      password: 'ya29.t',
    });
  });

  it('hands over the key itself in the _json_key modes', async () => {
    const key = JSON.stringify({
      type: 'service_account',
      client_email: 'sa@p.iam.gserviceaccount.com',
      private_key: 'x',
    });
    const { home, config } = tempHome({ auth: { credentialsFile: 'key.json', keyMode: 'json-key-base64' } });
    writeFileSync(join(home, 'key.json'), key);
    expect(await createAuth(config).registryCredential('us-docker.pkg.dev')).toEqual({
      username: '_json_key_base64',
      password: Buffer.from(key).toString('base64'),
    });
    const raw = createAuth({ ...config, auth: { ...config.auth, keyMode: 'json-key' } });
    expect(await raw.registryCredential('us-docker.pkg.dev')).toEqual({
      username: '_json_key',
      password: key,
    });
  });

  it('reads other registries from Docker config.json: auths, identity tokens, credential helpers, the store', async () => {
    const { home, config } = tempHome({ auth: { accessToken: 'ya29.never-here' } });
    const bin = join(home, 'bin');
    mkdirSync(bin);
    script(
      bin,
      'docker-credential-teststore',
      `read host; [ "$1" = get ] && printf '{"ServerURL":"%s","Username":"store-user","Secret":"store-secret"}' "$host"`,
    );
    script(bin, 'docker-credential-nothing', 'echo "credentials not found in native keychain"; exit 1');
    mkdirSync(config.docker.configDir, { recursive: true });
    writeFileSync(
      join(config.docker.configDir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
          'ghcr.io': { auth: Buffer.from('gh:token:with:colons').toString('base64') },
          'quay.io': { identitytoken: 'refresh-me' },
        },
        credHelpers: { 'registry.example.com': 'teststore', 'empty.example.com': 'nothing' },
      }),
    );
    const previousPath = process.env.PATH;
    process.env.PATH = `${bin}:${previousPath}`;
    try {
      const auth = createAuth(config);
      expect(await auth.registryCredential('docker.io')).toEqual({
        username: 'hubuser',
        password: 'hubpass',
      });
      expect(await auth.registryCredential('https://ghcr.io/v2/')).toEqual({
        username: 'gh',
        password: 'token:with:colons',
      });
      expect(await auth.registryCredential('quay.io')).toEqual({
        username: '<token>',
        password: 'refresh-me',
      });
      expect(await auth.registryCredential('registry.example.com')).toEqual({
        username: 'store-user',
        password: 'store-secret',
      });
      expect(await auth.registryCredential('empty.example.com')).toBeUndefined();
      expect(await auth.registryCredential('unknown.example.com')).toBeUndefined();
    } finally {
      process.env.PATH = previousPath;
    }
  });

  it('reports a credential helper that is named but missing', async () => {
    const { config } = tempHome();
    mkdirSync(config.docker.configDir, { recursive: true });
    writeFileSync(
      join(config.docker.configDir, 'config.json'),
      JSON.stringify({ credsStore: 'does-not-exist-anywhere' }),
    );
    const error = await createAuth(config)
      .registryCredential('ghcr.io')
      .catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_CREDENTIAL_HELPER_FAILED')).toBe(true);
    expect((error as Error).message).toContain('docker-credential-does-not-exist-anywhere');
  });
});
