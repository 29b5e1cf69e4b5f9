// The start command both front doors run (gar-emulator start, gar emulator start): what its
// banner and files tell a newcomer, and key files that a second emulator must not clobber.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isArError } from '@ar/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStartCommand } from './start-command.js';

let dir: string;
let seedFile: string;
const running: Array<{ stop: AbortController; done: Promise<number> }> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ar-emulator-start-'));
  seedFile = join(dir, 'seed.json');
  await writeFile(
    seedFile,
    JSON.stringify({
      projects: [
        {
          id: 'start-tests',
          serviceAccounts: [{ id: 'ci-pusher', keyFile: 'keys/ci-pusher.json' }],
          repositories: [{ id: 'apps', location: 'us-west1' }],
        },
      ],
    }),
  );
});
afterEach(async () => {
  for (const run of running.splice(0)) {
    run.stop.abort();
    await run.done.catch(() => 0);
  }
  await rm(dir, { recursive: true, force: true });
});

/** Starts the command in-process; resolves with its banner once it is serving. */
async function start(args: string[]): Promise<{ banner: string; done: Promise<number> }> {
  let banner = '';
  let ready!: () => void;
  const printed = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const stdout = new Writable({
    write(chunk, _encoding, callback) {
      banner += String(chunk);
      if (banner.includes('Press Ctrl-C to stop.')) ready();
      callback();
    },
  });
  const stop = new AbortController();
  const done = runStartCommand(args, {
    command: 'gar-emulator start',
    stdout,
    stderr: stdout,
    signal: stop.signal,
  });
  running.push({ stop, done });
  await Promise.race([printed, done]);
  return { banner, done };
}

describe('start (both front doors)', () => {
  it('says which key file it wrote, how to point gar and gcloud at it, and writes a ready gar config', async () => {
    const configFile = join(dir, 'gar.json');
    const readyFile = join(dir, 'ready.json');
    const { banner } = await start([
      '--seed',
      seedFile,
      '--location',
      'us-west1',
      '--write-config',
      configFile,
      '--ready-file',
      readyFile,
    ]);
    const keyFile = join(dir, 'keys', 'ci-pusher.json');
    const key = JSON.parse(await readFile(keyFile, 'utf8'));
    expect(key).toMatchObject({
      type: 'service_account',
      client_email: 'ci-pusher@start-tests.iam.gserviceaccount.com',
    });
    const ready = JSON.parse(await readFile(readyFile, 'utf8'));
    const url = ready.urls['us-west1'];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toContain(`ci-pusher@start-tests.iam.gserviceaccount.com: ${keyFile}`);
    expect(banner).toContain(`export GOOGLE_APPLICATION_CREDENTIALS=${keyFile}\n`);
    expect(banner).toContain(`export CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE=${url}/\n`);
    expect(banner).toContain(`export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=${url}/\n`);
    expect(banner).toContain(`export CLOUDSDK_AUTH_TOKEN_HOST=${url}/token\n`);
    expect(banner).toContain(`export GAR_CONFIG=${configFile}\n`);
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    expect(config).toEqual({
      auth: { credentialsFile: keyFile },
      endpoints: {
        artifactRegistryUrl: url,
        oauth2TokenUrl: `${url}/token`,
        iamCredentialsUrl: url,
        metadataHost: url.slice('http://'.length),
      },
      registries: { 'us-west1-docker.pkg.dev': { endpoint: url } },
    });
    // The banner prints the same config, and the ready file carries it too.
    expect(banner).toContain(JSON.stringify(config, null, 2).split('\n').join('\n  '));
    expect(ready.garConfig).toEqual(config);
    // The key the config names is one the emulator accepts: the registry takes it as _json_key.
    const basic = Buffer.from(`_json_key:${JSON.stringify(key)}`).toString('base64');
    const token = await fetch(`${url}/v2/token?service=${encodeURIComponent(new URL(url).host)}`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(token.status).toBe(200);
  });

  it('refuses to overwrite the key file of an emulator already started with the same seed, then frees it on stop', async () => {
    const first = await start(['--seed', seedFile]);
    const keyFile = join(dir, 'keys', 'ci-pusher.json');
    const firstKey = await readFile(keyFile, 'utf8');
    const second = await start(['--seed', seedFile])
      .then(({ done }) => done)
      .catch((error: unknown) => error);
    expect(isArError(second) && second.code).toBe('AR_EMULATOR_KEY_FILE_EXISTS');
    expect((second as Error).message).toContain(keyFile);
    expect(await readFile(keyFile, 'utf8')).toBe(firstKey);
    expect(first.banner).toContain(keyFile);

    // Its keys die with its temporary data dir, and so does the file: the next start may write it.
    running[0]!.stop.abort();
    expect(await first.done).toBe(0);
    expect(existsSync(keyFile)).toBe(false);
    const third = await start(['--seed', seedFile]);
    expect(third.banner).toContain(keyFile);
    expect(await readFile(keyFile, 'utf8')).not.toBe(firstKey);
  });

  it('prints its options on --help and refuses what it does not know, with status 2', async () => {
    const help = await start(['--help']);
    expect(await help.done).toBe(0);
    expect(help.banner).toMatch(/^Usage: gar-emulator start \[options\]/);
    for (const option of ['--write-config FILE', '--ready-file FILE', '--seed FILE', '--data-dir DIR'])
      expect(help.banner).toContain(option);
    const bad = await start(['--bogus']);
    expect(await bad.done).toBe(2);
    expect(bad.banner).toContain("Unknown option '--bogus'");
  });

  it('passes --cleanup-interval to the emulator, which refuses a negative one', async () => {
    const help = await start(['--help']);
    expect(await help.done).toBe(0);
    expect(help.banner).toContain('--cleanup-interval SECONDS');
    const negative = start(['--cleanup-interval=-1']).then(({ done }) => done);
    await expect(negative).rejects.toMatchObject({
      code: 'AR_EMULATOR_OPTIONS_INVALID',
      message: expect.stringContaining('cleanupIntervalSeconds -1 must be 0 (never) or positive'),
    });
  });
});
