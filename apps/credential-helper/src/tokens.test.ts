// Token behaviour of the built helper against the emulator's OAuth token endpoint: warm answers,
// one fetch for many parallel calls, no dying token, and a warm path that loads nothing heavy.
import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Emulator, RequestLogLine } from '@ar/emulator';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER, runHelper, tempUser, writeJson } from './test/run-helper.js';

let fixture: TestEmulator;
let emulator: Emulator;
const requests: RequestLogLine[] = [];
let keyJson: unknown;
beforeAll(async () => {
  fixture = await startTestEmulator({
    project: 'helper-tests',
    accounts: { pusher: null },
    log: (line) => requests.push(line),
  });
  emulator = fixture.emulator;
  keyJson = await emulator.createServiceAccountKey(fixture.email('pusher'));
});
afterAll(async () => {
  await fixture?.stop();
});

const tokenRequests = () =>
  requests.filter((line) => line.method === 'POST' && line.path === '/token').length;

/** A user whose key file exchanges at the emulator; the emulator's port is marked a Google registry. */
function userWithKey() {
  const { home, env } = tempUser();
  const keyFile = join(home, 'key.json');
  writeJson(keyFile, keyJson);
  return {
    home,
    keyFile,
    env: {
      ...env,
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
      CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
      GCE_METADATA_HOST: '127.0.0.1:9',
    },
  };
}

const secretOf = (stdout: string) => (JSON.parse(stdout) as { Secret: string }).Secret;

/** Node loader hooks that append every module URL a run loads to LOADED_LOG. */
function loadTracer(dir: string): string[] {
  const hooks = join(dir, 'trace-hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
     export async function load(url, context, next) { appendFileSync(process.env.LOADED_LOG, url + '\\n'); return next(url, context); }`,
  );
  const register = join(dir, 'trace-register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module'; register(${JSON.stringify(`file://${hooks}`)});`,
  );
  return ['--import', register];
}

/** The files (not Node built-ins) a run loaded as modules. */
const filesLoaded = (loadedLog: string) =>
  readFileSync(loadedLog, 'utf8')
    .trim()
    .split('\n')
    .filter((url) => url.startsWith('file:'));

/** Which heavy libraries the files a run loaded contain (esbuild keeps their node_modules paths). */
function heavyLibrariesLoaded(loadedLog: string): string[] {
  const found = new Set<string>();
  for (const url of filesLoaded(loadedLog)) {
    const text = readFileSync(new URL(url), 'utf8');
    for (const library of ['zod', 'google-auth-library', 'gaxios', 'proper-lockfile']) {
      if (text.includes(`node_modules/${library}/`)) found.add(library);
    }
  }
  return [...found].sort();
}

describe('tokens', () => {
  it('fetches on the first get, answers the next ones warm with the same token', async () => {
    const user = userWithKey();
    const log = join(user.home, 'helper.log');
    const env = { ...user.env, GAR_HELPER_LOG: log };
    const first = await runHelper(['get'], 'us-west1-docker.pkg.dev', env);
    expect(first.status).toBe(0);
    const second = await runHelper(['get'], 'https://us-west1-docker.pkg.dev/v2/', env);
    expect(secretOf(second.stdout)).toBe(secretOf(first.stdout));
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[0]).toContain('path="cold" source="service-account-key"');
    expect(lines[1]).toContain(
      `path="warm" source="service-account-key" account="${fixture.email('pusher')}"`,
    );
    expect(readFileSync(log, 'utf8')).not.toContain(secretOf(first.stdout));
  });

  it('loads the entry file alone on a warm get, and the schema and google-auth-library on a cold one', async () => {
    const user = userWithKey();
    const tracer = loadTracer(user.home);
    const cold = join(user.home, 'cold.log');
    const warm = join(user.home, 'warm.log');
    await runHelper(['get'], 'us-docker.pkg.dev', { ...user.env, LOADED_LOG: cold }, tracer);
    const run = await runHelper(['get'], 'us-docker.pkg.dev', { ...user.env, LOADED_LOG: warm }, tracer);
    expect(run.status).toBe(0);
    expect(heavyLibrariesLoaded(cold)).toEqual(['gaxios', 'google-auth-library', 'proper-lockfile', 'zod']);
    expect(filesLoaded(warm)).toEqual([pathToFileURL(HELPER).href]);
  });

  it('builds no stream, socket or perf_hooks on a warm get: the answer goes out with one write', async () => {
    const user = userWithKey();
    const probe = join(user.home, 'probe.cjs');
    const listing = join(user.home, 'modules.txt');
    writeFileSync(
      probe,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listing)}, process.moduleLoadList.join('\\n')));`,
    );
    await runHelper(['get'], 'us-docker.pkg.dev', user.env);
    const warm = await runHelper(['get'], 'us-docker.pkg.dev', user.env, ['--require', probe]);
    expect(warm.status).toBe(0);
    expect(secretOf(warm.stdout)).toMatch(/^ya29\./);
    const loaded = readFileSync(listing, 'utf8').split('\n');
    for (const heavy of [
      'NativeModule stream',
      'NativeModule net',
      'NativeModule perf_hooks',
      'NativeModule crypto',
    ])
      expect(loaded).not.toContain(heavy);
  });

  it('goes cold again when the key file changes', async () => {
    const user = userWithKey();
    const log = join(user.home, 'helper.log');
    const env = { ...user.env, GAR_HELPER_LOG: log };
    await runHelper(['get'], 'gcr.io', env);
    utimesSync(user.keyFile, new Date(), new Date(Date.now() + 5_000));
    await runHelper(['get'], 'gcr.io', env);
    const paths = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.match(/path="(\w+)"/)?.[1]);
    expect(paths).toEqual(['cold', 'cold']);
  });

  it('trusts only a private warm record of its own: one others could write names no hosts', async () => {
    const user = userWithKey();
    await runHelper(['get'], 'us-docker.pkg.dev', user.env);
    const dir = join(user.home, '.cache', 'gar', 'helper');
    const record = join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!);
    // Someone who can write the record adds their own host to the Google ones.
    const forged = JSON.parse(readFileSync(record, 'utf8'));
    forged.googleHosts.push('collector.example:8443');
    writeFileSync(record, JSON.stringify(forged));
    chmodSync(record, 0o666);
    const run = await runHelper(['get'], 'collector.example:8443', user.env);
    expect(run).toMatchObject({ status: 1, stdout: 'credentials not found in native keychain\n' });
    // The same record, private again, is the helper's own: then it is believed.
    chmodSync(record, 0o600);
    expect((await runHelper(['get'], 'collector.example:8443', user.env)).status).toBe(0);
  });

  it('never hands out a cached token with less than the margin left', async () => {
    const user = userWithKey();
    const first = secretOf((await runHelper(['get'], 'us-docker.pkg.dev', user.env)).stdout);
    const dir = join(user.home, '.cache', 'gar', 'tokens');
    const file = join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!);
    const now = Date.now();
    // As if the token had been fetched 55 minutes ago: 5 minutes left, inside the 10-minute margin.
    writeFileSync(
      file,
      JSON.stringify({ token: first, issuedAt: now - 55 * 60_000, expiresAt: now + 5 * 60_000 }),
    );
    const next = secretOf((await runHelper(['get'], 'us-docker.pkg.dev', user.env)).stdout);
    expect(next).not.toBe(first);
    expect(JSON.parse(readFileSync(file, 'utf8')).expiresAt).toBeGreaterThan(now + 50 * 60_000);
  });

  it('replaces a symlink planted at its token file or warm record, and never writes through it', async () => {
    const user = userWithKey();
    const first = secretOf((await runHelper(['get'], 'us-docker.pkg.dev', user.env)).stdout);
    const cache = join(user.home, '.cache', 'gar');
    const jsonIn = (dir: string) => join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!);
    const tokenFile = jsonIn(join(cache, 'tokens'));
    const record = jsonIn(join(cache, 'helper'));
    const victims = [join(user.home, 'victim-1'), join(user.home, 'victim-2')];
    for (const [index, planted] of [tokenFile, record].entries()) {
      writeFileSync(victims[index]!, 'precious\n', { mode: 0o600 });
      rmSync(planted);
      symlinkSync(victims[index]!, planted);
    }
    const next = await runHelper(['get'], 'us-docker.pkg.dev', user.env);
    expect(next.status).toBe(0);
    expect(secretOf(next.stdout)).not.toBe(first); // the link was not read as a token: a fresh fetch
    for (const victim of victims) expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    for (const planted of [tokenFile, record]) expect(lstatSync(planted).isFile()).toBe(true);
  });

  it('shares one token fetch among 50 parallel cold gets, and every answer is valid', async () => {
    const user = userWithKey();
    const before = tokenRequests();
    const runs = await Promise.all(
      Array.from({ length: 50 }, () => runHelper(['get'], 'us-docker.pkg.dev', user.env)),
    );
    expect(runs.map((run) => run.status)).toEqual(Array(50).fill(0));
    const secrets = new Set(runs.map((run) => secretOf(run.stdout)));
    expect(secrets.size).toBe(1);
    expect(tokenRequests() - before).toBe(1);
    const [token] = secrets;
    const response = await fetch(`${emulator.url()}/v2/`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
  }, 120_000);
});
