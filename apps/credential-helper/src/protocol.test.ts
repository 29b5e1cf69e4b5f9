// The docker-credential-helpers protocol, command by command, against the built helper.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHelper, tempUser, writeJson } from './test/run-helper.js';

const NOT_FOUND = 'credentials not found in native keychain\n';
/** No source can answer: nothing listens at the metadata host, no key, no token. */
const NO_SOURCES = { GCE_METADATA_HOST: '127.0.0.1:9' };

describe('protocol conformance', () => {
  it.each([['version'], ['--version'], ['-v']])('%s prints the version', async (command) => {
    const { env } = tempUser();
    const run = await runHelper([command], '', env);
    expect(run).toMatchObject({ status: 0, stdout: 'docker-credential-gar 0.0.0\n' });
  });

  it('--help explains what the helper is and how Docker finds it', async () => {
    const run = await runHelper(['--help'], '', tempUser().env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: docker-credential-gar <get|store|erase|list|version>');
    expect(run.stdout).toContain('credHelpers');
  });

  it('refuses an unknown command in one line', async () => {
    const run = await runHelper(['fetch'], '', tempUser().env);
    expect(run).toEqual({
      status: 1,
      stdout: 'unknown command "fetch"; expected get, store, erase, list or version\n',
      stderr: '',
    });
  });

  it('refuses a get with nothing on stdin', async () => {
    const run = await runHelper(['get'], '  \n', tempUser().env);
    expect(run).toMatchObject({
      status: 1,
      stdout: 'no server URL on stdin; Docker writes the registry host there\n',
    });
  });

  it.each([
    'ghcr.io',
    'https://index.docker.io/v1/',
    'docker.pkg.dev.evil.com',
    'https://evil-docker.pkg.dev.attacker.io/v2/',
    'localhost:5000',
  ])('answers %j with Docker’s exact not-found text, so Docker falls back', async (host) => {
    const { env } = tempUser();
    const run = await runHelper(['get'], `${host}\n`, { ...env, GAR_ACCESS_TOKEN: 'ya29.must-not-leak' });
    expect(run).toEqual({ status: 1, stdout: NOT_FOUND, stderr: '' });
  });

  it('says in one line what it tried when no credentials exist, with no token', async () => {
    const run = await runHelper(['get'], 'us-docker.pkg.dev', { ...tempUser().env, ...NO_SOURCES });
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(
      /^No Google credentials found\. Tried, in order: access-token: .* metadata: no metadata server answers at 127\.0\.0\.1:9 /,
    );
  });

  it('serves a static token to Google hosts in every input form, echoing the server URL', async () => {
    const { env } = tempUser();
    for (const input of [
      'us-docker.pkg.dev',
      'https://us-docker.pkg.dev/v2/',
      'us-docker.pkg.dev/my-project/repo',
      'US-DOCKER.PKG.DEV:443\n',
    ]) {
      const run = await runHelper(['get'], input, { ...env, GAR_ACCESS_TOKEN: 'ya29.static-token' });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        ServerURL: input.trim(),
        Username: 'oauth2accesstoken',
        Secret: 'ya29.static-token',
      });
    }
  });

  it('uses the configured username compatibility mode', async () => {
    const run = await runHelper(['get'], 'gcr.io', {
      ...tempUser().env,
      GAR_ACCESS_TOKEN: 'ya29.t',
      GAR_AUTH_REGISTRY_USERNAME: '_dcgcloud_token',
    });
    expect(JSON.parse(run.stdout).Username).toBe('_dcgcloud_token');
  });

  it('accepts store and erase for Google hosts silently, so docker login and logout keep working', async () => {
    const { env } = tempUser();
    const store = await runHelper(
      ['store'],
      JSON.stringify({ ServerURL: 'us-docker.pkg.dev', Username: 'u', Secret: 's' }),
      env,
    );
    expect(store).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(await runHelper(['erase'], 'https://us-docker.pkg.dev', env)).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('refuses store and erase in strict mode, and for hosts that are not Google’s', async () => {
    const { env } = tempUser();
    const strict = await runHelper(['erase'], 'us-docker.pkg.dev', { ...env, GAR_HELPER_STRICT: 'true' });
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('does not erase credentials');
    const other = await runHelper(
      ['store'],
      JSON.stringify({ ServerURL: 'ghcr.io', Username: 'u', Secret: 's' }),
      env,
    );
    expect(other).toMatchObject({
      status: 1,
      stdout: 'docker-credential-gar keeps no credentials for ghcr.io; use another credsStore for it\n',
    });
    const garbage = await runHelper(['store'], 'not json', env);
    expect(garbage).toMatchObject({
      status: 1,
      stdout: 'store expects {"ServerURL","Username","Secret"} JSON on stdin\n',
    });
  });

  it('lists the Google hosts Docker’s config hands to it', async () => {
    const { home, env } = tempUser();
    writeJson(join(home, '.docker', 'config.json'), {
      credHelpers: {
        'us-docker.pkg.dev': 'gar',
        'gcr.io': 'gcloud',
        'ghcr.io': 'gar',
        'europe-west1-docker.pkg.dev': 'gar',
      },
    });
    const run = await runHelper(['list'], '', env);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      'us-docker.pkg.dev': 'oauth2accesstoken',
      'europe-west1-docker.pkg.dev': 'oauth2accesstoken',
    });
  });

  it('reports a broken config in one line, naming the key and where it came from', async () => {
    const run = await runHelper(['get'], 'us-docker.pkg.dev', {
      ...tempUser().env,
      GAR_AUTH_REFRESH_MARGIN_SECONDS: 'soon',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      'Invalid configuration (1 problem): auth.refreshMarginSeconds: must be a number, got "soon" (from GAR_AUTH_REFRESH_MARGIN_SECONDS) Fix the values named above; every key is listed in the @ar/config README and schema.json. Fix the gar config (see `gar doctor`).\n',
    );
  });

  it('logs one line per call to GAR_HELPER_LOG, never the token', async () => {
    const { home, env } = tempUser();
    const log = join(home, 'helper.log');
    await runHelper(['get'], 'us-docker.pkg.dev', {
      ...env,
      GAR_ACCESS_TOKEN: 'ya29.secret-token-value',
      GAR_HELPER_LOG: log,
    });
    await runHelper(['get'], 'ghcr.io', { ...env, GAR_HELPER_LOG: log });
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /command="get" host="us-docker.pkg.dev" path="cold" source="access-token" outcome="ok" ms=\d+$/,
    );
    expect(lines[1]).toMatch(/command="get" host="ghcr.io" path="cold" outcome="not-found"/);
    expect(readFileSync(log, 'utf8')).not.toContain('secret-token-value');
  });
});
