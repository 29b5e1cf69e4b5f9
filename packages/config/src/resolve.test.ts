import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isArError } from '@ar/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArConfigError } from './errors.js';
import { type ResolveConfigOptions, resolveConfig } from './resolve.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ar-config-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Writes the default config file ($HOME/.config/gar/config.json) and returns its path. */
function writeDefaultFile(content: unknown): string {
  const dir = join(home, '.config', 'gar');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const resolve = (options: ResolveConfigOptions = {}) =>
  resolveConfig({ homeDir: home, cwd: home, ...options, env: { HOME: home, ...options.env } });

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArConfigError);
    expect(isArError(error, 'AR_CONFIG_INVALID')).toBe(true);
    return (error as ArConfigError).issues.map((i) => `${i.path}: ${i.message} (from ${i.source})`);
  }
  throw new Error('expected resolveConfig to throw');
}

describe('defaults', () => {
  it('gives a complete config with no file, no environment and no overrides', () => {
    const { config, file, profile, originOf } = resolve();
    expect(file).toBeNull();
    expect(profile).toBeNull();
    expect(config.transfer).toEqual({ concurrency: 4, jobs: 8, retries: 4, requestTimeoutSeconds: 300 });
    expect(config.auth.sources).toEqual(['access-token', 'service-account-key', 'adc', 'metadata']);
    expect(config.auth.refreshMarginSeconds).toBe(600);
    expect(config.auth.registryUsername).toBe('oauth2accesstoken');
    expect(config.auth.scopes).toEqual(['https://www.googleapis.com/auth/cloud-platform']);
    expect(config.auth.cacheDir).toBe(join(home, '.cache', 'gar'));
    expect(config.docker.configDir).toBe(join(home, '.docker'));
    expect(config.auth.gcloudConfigDir).toBe(join(home, '.config', 'gcloud'));
    expect(config.endpoints.oauth2TokenUrl).toBe('https://oauth2.googleapis.com/token');
    expect(config.endpoints.metadataHost).toBe('metadata.google.internal');
    expect(config.registries).toEqual({});
    expect(config.output).toEqual({ format: 'table', color: 'auto', progress: 'auto' });
    expect(config.api.rateLimit).toEqual({ perMinute: 600, failedAuthPerMinute: 30 });
    expect(config.api.cache).toEqual({
      enabled: true,
      tagTtlSeconds: 5,
      metadataTtlSeconds: 300,
      manifestMebibytes: 64,
    });
    expect(config.api.trustedProxies).toEqual([]);
    expect(config.project).toBeUndefined();
    expect(originOf('transfer.concurrency')).toBe('default');
  });

  it('puts the token cache under XDG_CACHE_HOME when set', () => {
    const { config } = resolve({ env: { XDG_CACHE_HOME: '/var/cache/me' } });
    expect(config.auth.cacheDir).toBe('/var/cache/me/gar');
  });
});

describe('precedence: defaults < file < environment < overrides', () => {
  it('lets each source beat the one below it, key by key', () => {
    const path = writeDefaultFile({
      project: 'file-project',
      location: 'europe-west1',
      transfer: { concurrency: 8, retries: 2 },
    });
    const { config, originOf, file } = resolve({
      env: { GAR_TRANSFER_CONCURRENCY: '16', CLOUDSDK_CORE_PROJECT: 'env-project' },
      overrides: { project: 'flag-project' },
      overridesSource: (key) => `--${key}`,
    });
    expect(file).toBe(path);
    expect(config.project).toBe('flag-project');
    expect(originOf('project')).toBe('--project');
    expect(config.transfer.concurrency).toBe(16);
    expect(originOf('transfer.concurrency')).toBe('GAR_TRANSFER_CONCURRENCY');
    expect(config.transfer.retries).toBe(2);
    expect(originOf('transfer.retries')).toBe(path);
    expect(config.location).toBe('europe-west1');
    expect(config.transfer.requestTimeoutSeconds).toBe(300);
    expect(originOf('transfer.requestTimeoutSeconds')).toBe('default');
  });

  it('merges per-registry settings from the file with overrides for the same host', () => {
    writeDefaultFile({
      registries: { 'localhost:5000': { endpoint: 'http://127.0.0.1:5000', insecure: true } },
    });
    const { config } = resolve({ overrides: { registries: { 'localhost:5000': { google: true } } } });
    expect(config.registries['localhost:5000']).toEqual({
      endpoint: 'http://127.0.0.1:5000',
      insecure: true,
      google: true,
    });
  });

  it('reads the file named by GAR_CONFIG, and --config over that', () => {
    const a = join(home, 'a.json');
    const b = join(home, 'b.json');
    writeFileSync(a, JSON.stringify({ project: 'from-a' }));
    writeFileSync(b, JSON.stringify({ project: 'from-b' }));
    expect(resolve({ env: { GAR_CONFIG: a } }).config.project).toBe('from-a');
    expect(resolve({ env: { GAR_CONFIG: a }, configFile: b }).config.project).toBe('from-b');
    expect(resolve({ env: { GAR_CONFIG: a }, configFile: false }).config.project).toBeUndefined();
  });

  it('looks for the default file under XDG_CONFIG_HOME when set', () => {
    const dir = join(home, 'xdg', 'gar');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ repository: 'xdg-repo' }));
    expect(resolve({ env: { XDG_CONFIG_HOME: join(home, 'xdg') } }).config.repository).toBe('xdg-repo');
  });

  it('prefers GAR_ variables over the ecosystem ones, and CLOUDSDK_ over GOOGLE_', () => {
    expect(resolve({ env: { GOOGLE_CLOUD_PROJECT: 'g', CLOUDSDK_CORE_PROJECT: 'c' } }).config.project).toBe(
      'c',
    );
    expect(
      resolve({ env: { GOOGLE_CLOUD_PROJECT: 'g', CLOUDSDK_CORE_PROJECT: 'c', GAR_PROJECT: 'gar' } }).config
        .project,
    ).toBe('gar');
    expect(resolve({ env: { GOOGLE_CLOUD_PROJECT: 'g' } }).config.project).toBe('g');
  });

  it('treats an empty variable as unset', () => {
    writeDefaultFile({ project: 'file-project' });
    expect(resolve({ env: { GAR_PROJECT: '', NO_COLOR: '' } }).config).toMatchObject({
      project: 'file-project',
      output: { color: 'auto' },
    });
  });
});

describe('environment variables', () => {
  const cases: Array<[string, string, string, unknown]> = [
    ['CLOUDSDK_CORE_PROJECT', 'p1', 'project', 'p1'],
    ['GOOGLE_CLOUD_PROJECT', 'p2', 'project', 'p2'],
    ['CLOUDSDK_ARTIFACTS_LOCATION', 'us-west1', 'location', 'us-west1'],
    ['CLOUDSDK_ARTIFACTS_REPOSITORY', 'my-repo', 'repository', 'my-repo'],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/keys/sa.json', 'auth.credentialsFile', '/keys/sa.json'],
    ['CLOUDSDK_AUTH_ACCESS_TOKEN_FILE', '/run/token', 'auth.accessTokenFile', '/run/token'],
    ['CLOUDSDK_CONFIG', '/etc/gcloud', 'auth.gcloudConfigDir', '/etc/gcloud'],
    ['GAR_ACCESS_TOKEN', 'ya29.secret', 'auth.accessToken', 'ya29.secret'],
    [
      'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT',
      'sa@p.iam.gserviceaccount.com',
      'auth.impersonateServiceAccount',
      'sa@p.iam.gserviceaccount.com',
    ],
    [
      'CLOUDSDK_AUTH_TOKEN_HOST',
      'http://127.0.0.1:9000/token',
      'endpoints.oauth2TokenUrl',
      'http://127.0.0.1:9000/token',
    ],
    ['GCE_METADATA_HOST', '127.0.0.1:8999', 'endpoints.metadataHost', '127.0.0.1:8999'],
    [
      'CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY',
      'http://127.0.0.1:9001/',
      'endpoints.artifactRegistryUrl',
      'http://127.0.0.1:9001/',
    ],
    ['DOCKER_CONFIG', '/etc/docker-cfg', 'docker.configDir', '/etc/docker-cfg'],
    ['DOCKER_HOST', 'unix:///run/user/1000/docker.sock', 'docker.host', 'unix:///run/user/1000/docker.sock'],
    ['DOCKER_CERT_PATH', '/certs', 'docker.certPath', '/certs'],
    ['DOCKER_TLS_VERIFY', '1', 'docker.tlsVerify', true],
    ['NO_COLOR', '1', 'output.color', 'never'],
    ['GAR_PROJECT', 'p3', 'project', 'p3'],
    ['GAR_LOCATION', 'asia', 'location', 'asia'],
    ['GAR_REPOSITORY', 'r', 'repository', 'r'],
    ['GAR_AUTH_SOURCES', 'gcloud, metadata', 'auth.sources', ['gcloud', 'metadata']],
    ['GAR_AUTH_KEY_MODE', 'json-key-base64', 'auth.keyMode', 'json-key-base64'],
    [
      'GAR_AUTH_DELEGATES',
      'a@p.iam.gserviceaccount.com,b@p.iam.gserviceaccount.com',
      'auth.delegates',
      ['a@p.iam.gserviceaccount.com', 'b@p.iam.gserviceaccount.com'],
    ],
    ['GAR_AUTH_REFRESH_MARGIN_SECONDS', '900', 'auth.refreshMarginSeconds', 900],
    ['GAR_AUTH_REGISTRY_USERNAME', '_dcgcloud_token', 'auth.registryUsername', '_dcgcloud_token'],
    ['GAR_TRANSFER_CONCURRENCY', '12', 'transfer.concurrency', 12],
    ['GAR_TRANSFER_RETRIES', '0', 'transfer.retries', 0],
    ['GAR_DOCKER_TLS_VERIFY', 'false', 'docker.tlsVerify', false],
    ['GAR_OUTPUT_FORMAT', 'json', 'output.format', 'json'],
    ['GAR_OUTPUT_PROGRESS', 'never', 'output.progress', 'never'],
    ['GAR_LOG_LEVEL', 'debug', 'log.level', 'debug'],
    ['GAR_EMULATOR_PORT', '5005', 'emulator.port', 5005],
    ['GAR_HELPER_STRICT', 'true', 'helper.strict', true],
    ['GAR_HELPER_LOG', '/var/log/gar-helper.log', 'helper.log', '/var/log/gar-helper.log'],
    ['GAR_API_PORT', '9090', 'api.port', 9090],
    ['GAR_API_RATE_LIMIT_PER_MINUTE', '1200', 'api.rateLimit.perMinute', 1200],
    ['GAR_API_RATE_LIMIT_FAILED_AUTH_PER_MINUTE', '10', 'api.rateLimit.failedAuthPerMinute', 10],
    ['GAR_API_CACHE_ENABLED', 'false', 'api.cache.enabled', false],
    ['GAR_API_CACHE_TAG_TTL_SECONDS', '0.25', 'api.cache.tagTtlSeconds', 0.25],
    ['GAR_API_CACHE_METADATA_TTL_SECONDS', '60', 'api.cache.metadataTtlSeconds', 60],
    ['GAR_API_CACHE_MANIFEST_MEBIBYTES', '16', 'api.cache.manifestMebibytes', 16],
    ['GAR_API_TRUSTED_PROXIES', '10.0.0.0/8,loopback', 'api.trustedProxies', ['10.0.0.0/8', 'loopback']],
    [
      'GAR_API_ALLOWED_HOSTS',
      'us-docker.pkg.dev,gcr.io',
      'api.allowedHosts',
      ['us-docker.pkg.dev', 'gcr.io'],
    ],
  ];

  it.each(cases)('%s=%s sets %s', (variable, raw, path, expected) => {
    const { config, originOf } = resolve({ env: { [variable]: raw } });
    const value = path
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
    expect(value).toEqual(expected);
    expect(originOf(path)).toBe(variable);
  });

  it('resolves relative paths from the environment against the working directory', () => {
    const { config } = resolve({ env: { GOOGLE_APPLICATION_CREDENTIALS: 'keys/sa.json' }, cwd: '/work/dir' });
    expect(config.auth.credentialsFile).toBe('/work/dir/keys/sa.json');
  });
});

describe('profiles', () => {
  beforeEach(() => {
    writeDefaultFile({
      project: 'base-project',
      location: 'us',
      activeProfile: 'dev',
      profiles: {
        dev: { project: 'dev-project' },
        staging: { project: 'staging-project', transfer: { concurrency: 2 } },
      },
    });
  });

  it('applies the file activeProfile over the base keys of the file', () => {
    const { config, profile } = resolve();
    expect(profile).toBe('dev');
    expect(config.project).toBe('dev-project');
    expect(config.location).toBe('us');
  });

  it('lets GAR_PROFILE beat activeProfile, and the profile option beat GAR_PROFILE', () => {
    expect(resolve({ env: { GAR_PROFILE: 'staging' } }).config.transfer.concurrency).toBe(2);
    const chosen = resolve({ env: { GAR_PROFILE: 'staging' }, profile: 'dev' });
    expect(chosen.profile).toBe('dev');
    expect(chosen.config.project).toBe('dev-project');
    expect(chosen.config.transfer.concurrency).toBe(4);
  });

  it('still lets the environment beat the selected profile', () => {
    const { config, originOf } = resolve({ env: { GAR_PROFILE: 'staging', GAR_TRANSFER_CONCURRENCY: '7' } });
    expect(config.transfer.concurrency).toBe(7);
    expect(originOf('project')).toMatch(/config\.json \(profile "staging"\)$/);
  });

  it('reports an unknown profile with the nearest defined one', () => {
    expect(issuesOf(() => resolve({ profile: 'stagin' }))).toEqual([
      'profile: profile "stagin" is not defined; did you mean "staging"? (from --profile)',
    ]);
  });

  it('reports a profile asked for when there is no config file', () => {
    expect(issuesOf(() => resolve({ configFile: false, env: { GAR_PROFILE: 'prod' } }))).toEqual([
      'profile: profile "prod" was asked for but there is no config file to define it (from GAR_PROFILE)',
    ]);
  });
});

describe('errors', () => {
  it('reports every problem at once, each with the source of the bad value', () => {
    const path = writeDefaultFile({ transfer: { concurency: 3 }, output: { format: 'xml' } });
    const issues = issuesOf(() =>
      resolve({
        env: { GAR_TRANSFER_CONCURRENCY: '0', GAR_AUTH_REFRESH_MARGIN_SECONDS: 'soon' },
        overrides: { transfer: { retries: 99 } },
        overridesSource: '--retries',
      }),
    );
    expect(issues).toEqual([
      `transfer.concurency: unknown key; did you mean "concurrency"? (from ${path})`,
      `output.format: must be one of "table", "json", "yaml", got "xml" (from ${path})`,
      'auth.refreshMarginSeconds: must be a number, got "soon" (from GAR_AUTH_REFRESH_MARGIN_SECONDS)',
      'transfer.concurrency: must be between 1 and 64, got 0 (from GAR_TRANSFER_CONCURRENCY)',
      'transfer.retries: must be between 0 and 20, got 99 (from --retries)',
    ]);
  });

  it('refuses cache lifetimes of zero or beyond their bound, and a manifest budget of nothing', () => {
    const issues = issuesOf(() =>
      resolve({
        env: { GAR_API_CACHE_TAG_TTL_SECONDS: '0' },
        overrides: { api: { cache: { metadataTtlSeconds: 100_000, manifestMebibytes: 0 } } },
      }),
    );
    expect(issues).toEqual([
      'api.cache.tagTtlSeconds: must be more than 0 (api.cache.enabled: false turns the cache off), got 0 (from GAR_API_CACHE_TAG_TTL_SECONDS)',
      'api.cache.metadataTtlSeconds: must be at most 86400, got 100000 (from override)',
      'api.cache.manifestMebibytes: must be between 1 and 4096, got 0 (from override)',
    ]);
  });

  it('puts every issue in the error message, with what to do', () => {
    try {
      resolve({ env: { GAR_TRANSFER_CONCURRENCY: '0' } });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'Invalid configuration (1 problem):\n' +
          '  transfer.concurrency: must be between 1 and 64, got 0 (from GAR_TRANSFER_CONCURRENCY)\n' +
          'Fix the values named above; every key is listed in the @ar/config README and schema.json.',
      );
    }
  });

  it('never echoes a secret value', () => {
    const issues = issuesOf(() => resolve({ overrides: { auth: { accessToken: 42 as unknown as string } } }));
    expect(issues).toEqual(['auth.accessToken: must be a string, got <redacted> (from override)']);
    const path = writeDefaultFile({ api: { callers: [{ name: 'bot', apiKeySha256: 'hunter2' }] } });
    const fileIssues = issuesOf(() => resolve());
    expect(fileIssues).toEqual([
      `api.callers[0].apiKeySha256: must be the lowercase hex SHA-256 of the API key, got <redacted> (from ${path})`,
    ]);
    expect(fileIssues.join()).not.toContain('hunter2');
  });

  it('names unknown top-level keys and keys inside records and profiles', () => {
    const path = writeDefaultFile({
      projet: 'x',
      registries: { 'localhost:5000': { insecur: true } },
      profiles: { ci: { trasnfer: {} } },
    });
    expect(issuesOf(() => resolve())).toEqual([
      `registries["localhost:5000"].insecur: unknown key; did you mean "insecure"? (from ${path})`,
      `profiles.ci.trasnfer: unknown key; did you mean "transfer"? (from ${path})`,
      `projet: unknown key; did you mean "project"? (from ${path})`,
    ]);
  });

  it('lists the known keys when nothing is close to an unknown one', () => {
    const path = writeDefaultFile({ log: { verbosity: 3 } });
    expect(issuesOf(() => resolve())).toEqual([
      `log.verbosity: unknown key; known keys here: level, file (from ${path})`,
    ]);
  });

  it('gives the line and column of malformed JSON, and still reports the environment', () => {
    const path = writeDefaultFile('{\n  "project": "p",\n  "location": \n}\n');
    expect(issuesOf(() => resolve({ env: { GAR_OUTPUT_FORMAT: 'csv' } }))).toEqual([
      `file: not valid JSON at line 4, column 1: ValueExpected (from ${path})`,
      'output.format: must be one of "table", "json", "yaml", got "csv" (from GAR_OUTPUT_FORMAT)',
    ]);
  });

  it('refuses a file whose top level is not an object', () => {
    const path = writeDefaultFile('[1, 2]');
    expect(issuesOf(() => resolve())).toEqual([
      `file: not valid JSON at line 1, column 1: the top level must be a JSON object (from ${path})`,
    ]);
  });

  it('fails when the file named by GAR_CONFIG does not exist, but not when the default one is absent', () => {
    const missing = join(home, 'nope.json');
    expect(issuesOf(() => resolve({ env: { GAR_CONFIG: missing } }))).toEqual([
      `file: config file ${missing} does not exist; create it or point GAR_CONFIG at an existing file (from GAR_CONFIG)`,
    ]);
    expect(() => resolve()).not.toThrow();
  });

  it('validates URLs, emails, integers and enums from every source', () => {
    expect(
      issuesOf(() =>
        resolve({
          env: {
            CLOUDSDK_AUTH_TOKEN_HOST: 'ftp://x',
            CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: 'not-an-email',
            GAR_TRANSFER_RETRIES: '1.5',
            GAR_AUTH_SOURCES: 'adc,Kerberos!',
          },
        }),
      ),
    ).toEqual([
      'auth.sources[1]: must be a token source name, got "Kerberos!" (from GAR_AUTH_SOURCES)',
      'auth.impersonateServiceAccount: must be a service account email, got "not-an-email" (from CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT)',
      'endpoints.oauth2TokenUrl: must be an http:// or https:// URL, got "ftp://x" (from CLOUDSDK_AUTH_TOKEN_HOST)',
      'transfer.retries: must be an integer, got 1.5 (from GAR_TRANSFER_RETRIES)',
    ]);
  });
});

describe('paths', () => {
  it('expands ~ and resolves file-relative paths against the config file directory', () => {
    const path = writeDefaultFile({
      auth: { credentialsFile: 'keys/sa.json', cacheDir: '~/tokens' },
      registries: { 'localhost:5000': { caFile: '../ca.pem' } },
    });
    const { config } = resolve();
    expect(config.auth.credentialsFile).toBe(join(path, '..', 'keys', 'sa.json'));
    expect(config.auth.cacheDir).toBe(join(home, 'tokens'));
    expect(config.registries['localhost:5000']?.caFile).toBe(join(home, '.config', 'ca.pem'));
  });
});

describe("gcloud's active configuration: above the defaults, below gar's own file", () => {
  /** Writes configurations/config_NAME under the gcloud config directory, as `gcloud config set` does. */
  function writeGcloudConfig(dir: string, name: string, ini: string, active?: string): string {
    mkdirSync(join(dir, 'configurations'), { recursive: true });
    const path = join(dir, 'configurations', `config_${name}`);
    writeFileSync(path, ini);
    if (active) writeFileSync(join(dir, 'active_config'), active);
    return path;
  }
  const gcloudDir = () => join(home, '.config', 'gcloud');

  it('reads core/project and artifacts/location and repository of the configuration active_config names', () => {
    writeGcloudConfig(gcloudDir(), 'default', '[core]\nproject = not-this-one\n');
    const path = writeGcloudConfig(
      gcloudDir(),
      'work',
      '[core]\naccount = me@example.com\nproject = work-project\n\n[artifacts]\nlocation = europe-west4\nrepository = images\n',
      'work\n',
    );
    const { config, originOf } = resolve();
    expect(config).toMatchObject({ project: 'work-project', location: 'europe-west4', repository: 'images' });
    expect(originOf('project')).toBe(`gcloud configuration "work" (${path})`);
    expect(originOf('repository')).toBe(`gcloud configuration "work" (${path})`);
    expect(originOf('transfer.concurrency')).toBe('default');
  });

  it('reads the "default" configuration when nothing names one, and nothing at all without gcloud', () => {
    expect(resolve().config.project).toBeUndefined();
    writeGcloudConfig(gcloudDir(), 'default', '[core]\nproject = default-project\n');
    expect(resolve().config.project).toBe('default-project');
    expect(resolve({ configFile: false }).config.project).toBeUndefined();
  });

  it('follows CLOUDSDK_ACTIVE_CONFIG_NAME and CLOUDSDK_CONFIG as gcloud does', () => {
    writeGcloudConfig(gcloudDir(), 'default', '[core]\nproject = default-project\n', 'default');
    writeGcloudConfig(gcloudDir(), 'ci', '[core]\nproject = ci-project\n');
    expect(resolve({ env: { CLOUDSDK_ACTIVE_CONFIG_NAME: 'ci' } }).config.project).toBe('ci-project');
    const elsewhere = join(home, 'other-gcloud');
    const path = writeGcloudConfig(elsewhere, 'default', '[artifacts]\nlocation = us-east1\n');
    const { config, originOf } = resolve({ env: { CLOUDSDK_CONFIG: elsewhere } });
    expect(config.location).toBe('us-east1');
    expect(config.project).toBeUndefined();
    expect(originOf('location')).toBe(`gcloud configuration "default" (${path})`);
  });

  it('loses to gar’s file, to CLOUDSDK_* property variables and to flags, key by key', () => {
    writeGcloudConfig(
      gcloudDir(),
      'default',
      '[core]\nproject = gcloud-project\n[artifacts]\nlocation = us-east1\nrepository = gcloud-repo\n',
    );
    const file = writeDefaultFile({ location: 'us-west1' });
    const { config, originOf } = resolve({
      env: { CLOUDSDK_CORE_PROJECT: 'env-project' },
      overrides: { repository: 'flag-repo' },
      overridesSource: '--repository',
    });
    expect(config).toMatchObject({ project: 'env-project', location: 'us-west1', repository: 'flag-repo' });
    expect([originOf('project'), originOf('location'), originOf('repository')]).toEqual([
      'CLOUDSDK_CORE_PROJECT',
      file,
      '--repository',
    ]);
  });
});
