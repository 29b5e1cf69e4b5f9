import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isArError } from '@ar/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleScript, sourcePath } from '../test/fixtures.js';
import { configureDocker } from './configure-docker.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-docker-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const configPath = () => join(dir, 'config.json');
const read = () => readFileSync(configPath(), 'utf8');

const DOCKER_WRITTEN = `{
\t"auths": {
\t\t"ghcr.io": {
\t\t\t"auth": "dXNlcjpwYXNz"
\t\t},
\t\t"us-west1-docker.pkg.dev": {}
\t},
\t"credsStore": "desktop",
\t"credHelpers": {
\t\t"gcr.io": "gcloud"
\t},
\t"features": {
\t\t"buildkit": "true"
\t},
\t"proxies": {
\t\t"default": {
\t\t\t"httpProxy": "http://proxy:3128"
\t\t}
\t},
\t"x-unknown-key": [1, 2, {"nested": true}]
}`;

describe('configureDocker', () => {
  it('creates a missing config.json with 0600 and only the hosts named', async () => {
    const result = await configureDocker({ configDir: join(dir, 'new'), hosts: ['us-west1-docker.pkg.dev'] });
    const path = join(dir, 'new', 'config.json');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      credHelpers: { 'us-west1-docker.pkg.dev': 'gar' },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(result).toMatchObject({
      added: ['us-west1-docker.pkg.dev'],
      unchanged: [],
      written: true,
      backup: undefined,
    });
  });

  it('keeps every other key and byte, merges entries, and saves the old content as .bak', async () => {
    writeFileSync(configPath(), DOCKER_WRITTEN);
    chmodSync(configPath(), 0o640);
    const result = await configureDocker({
      configDir: dir,
      hosts: ['https://us-west1-docker.pkg.dev/v2/', 'europe-docker.pkg.dev'],
    });
    const after = JSON.parse(read());
    const before = JSON.parse(DOCKER_WRITTEN);
    expect(after).toEqual({
      ...before,
      credHelpers: { 'gcr.io': 'gcloud', 'us-west1-docker.pkg.dev': 'gar', 'europe-docker.pkg.dev': 'gar' },
    });
    // A text edit: the file's own tab indentation and key order are kept.
    expect(read().startsWith('{\n\t"auths": {\n\t\t"ghcr.io": {')).toBe(true);
    expect(read()).toContain('"x-unknown-key": [1, 2, {"nested": true}]');
    expect(statSync(configPath()).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${configPath()}.bak`, 'utf8')).toBe(DOCKER_WRITTEN);
    expect(result.warnings).toEqual([
      'config.json also has "auths" credentials for us-west1-docker.pkg.dev; Docker will ignore them in favour of the helper.',
    ]);
  });

  it('is idempotent: a second run changes nothing and writes nothing', async () => {
    await configureDocker({ configDir: dir, hosts: ['us-docker.pkg.dev'] });
    const first = read();
    const again = await configureDocker({ configDir: dir, hosts: ['us-docker.pkg.dev'] });
    expect(again).toMatchObject({ added: [], unchanged: ['us-docker.pkg.dev'], written: false, diff: '' });
    expect(read()).toBe(first);
  });

  it('prints a diff and writes nothing on a dry run', async () => {
    writeFileSync(configPath(), '{\n  "auths": {}\n}\n');
    const result = await configureDocker({ configDir: dir, hosts: ['asia-docker.pkg.dev'], dryRun: true });
    expect(read()).toBe('{\n  "auths": {}\n}\n');
    expect(existsSync(`${configPath()}.bak`)).toBe(false);
    expect(result.written).toBe(false);
    expect(result.diff).toContain('+  "credHelpers": {');
    expect(result.diff).toContain('+    "asia-docker.pkg.dev": "gar"');
  });

  it('leaves a malformed config.json untouched and says where it breaks', async () => {
    const broken = '{\n  "auths": {\n    "ghcr.io": { "auth": "x" },\n  }\n}\n';
    writeFileSync(configPath(), broken);
    const error = await configureDocker({ configDir: dir, hosts: ['us-docker.pkg.dev'] }).catch(
      (e: unknown) => e,
    );
    expect(isArError(error, 'AR_AUTH_DOCKER_CONFIG_MALFORMED')).toBe(true);
    expect((error as Error).message).toMatch(/line 4, column 3: PropertyNameExpected/);
    expect(read()).toBe(broken);
    expect(existsSync(`${configPath()}.bak`)).toBe(false);
  });

  it.each([
    ['a string', '"gcloud"'],
    ['an array', '["gcloud"]'],
    ['null', 'null'],
  ])(
    'leaves config.json byte for byte when credHelpers is %s, and says to fix it by hand',
    async (_what, value) => {
      const odd = `{\n  "auths": {},\n  "credHelpers": ${value}\n}\n`;
      writeFileSync(configPath(), odd);
      const error = await configureDocker({ configDir: dir, hosts: ['us-docker.pkg.dev'] }).catch(
        (e: unknown) => e,
      );
      expect(isArError(error, 'AR_AUTH_DOCKER_CONFIG_MALFORMED')).toBe(true);
      expect((error as Error).message).toContain('"credHelpers"');
      expect((error as Error).message).toContain('Fix it by hand');
      expect(read()).toBe(odd);
      expect(existsSync(`${configPath()}.bak`)).toBe(false);
    },
  );

  it('writes through a symlink, keeping the link', async () => {
    const real = join(dir, 'dotfiles', 'docker-config.json');
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(real, '{"auths":{}}');
    symlinkSync(real, configPath());
    await configureDocker({ configDir: dir, hosts: ['us-docker.pkg.dev'] });
    expect(lstatSync(configPath()).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8')).credHelpers).toEqual({ 'us-docker.pkg.dev': 'gar' });
  });

  it('warns when a host moves from another helper and when the list grows long', async () => {
    writeFileSync(configPath(), JSON.stringify({ credHelpers: { 'gcr.io': 'gcloud' } }));
    const hosts = [
      'gcr.io',
      ...['us', 'europe', 'asia', 'us-west1', 'us-east1'].map((l) => `${l}-docker.pkg.dev`),
    ];
    const result = await configureDocker({ configDir: dir, hosts, warnAbove: 4 });
    expect(result.warnings).toEqual([
      'gcr.io used the credential helper "gcloud"; it now uses "gar".',
      'credHelpers now lists 6 registries. Docker may call every helper before some builds, which slows them: keep only the hosts you use.',
    ]);
  });

  it('refuses something that is not a host', async () => {
    const error = await configureDocker({ configDir: dir, hosts: ['not a host!'] }).catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_INVALID_HOST')).toBe(true);
    expect(existsSync(configPath())).toBe(false);
  });

  it('loses no entry when many processes configure different hosts at once', async () => {
    writeFileSync(
      configPath(),
      JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjpwYXNz' } } }, null, '\t'),
    );
    const bundle = await bundleScript(
      dir,
      'configure',
      `import { configureDocker } from ${sourcePath('docker/configure-docker.ts')};
       const [dir, host] = process.argv.slice(2);
       configureDocker({ configDir: dir, hosts: [host] }).catch((e) => { console.error(e); process.exit(1); });`,
    );
    const hosts = Array.from({ length: 8 }, (_, i) => `host${i}.example.com`);
    const run = promisify(execFile);
    await Promise.all(hosts.map((host) => run(process.execPath, [bundle, dir, host])));
    const after = JSON.parse(read());
    expect(Object.keys(after.credHelpers).sort()).toEqual(hosts.sort());
    expect(after.auths).toEqual({ 'ghcr.io': { auth: 'dXNlcjpwYXNz' } });
  });
});
