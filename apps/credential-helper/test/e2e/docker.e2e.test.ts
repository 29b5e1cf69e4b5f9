// The Docker CLI with a real dockerd pushes and pulls through docker-credential-gar, configured as
// `gar auth configure-docker` does it, to the emulator and to the token-auth distribution
// registry, with tokens from a service-account key, the metadata server and impersonation.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureDocker, createAuth } from '@ar/auth';
import { resolveConfig } from '@ar/config';
import { type Emulator, startEmulator } from '@ar/emulator';
import { buildImageArchive, e2eEnv, type RunResult, runCommand, tokenAdminClient } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER } from '../../src/test/run-helper.js';

const env = e2eEnv();
const PROJECT = 'helper-e2e';
let emulator: Emulator;
let work: string;
let pusher: string;
let caller: string;

beforeAll(async () => {
  emulator = await startEmulator({
    seed: {
      projects: [
        {
          id: PROJECT,
          serviceAccounts: [{ id: 'pusher' }, { id: 'caller' }],
          repositories: [{ id: 'images', location: 'us-central1' }],
        },
      ],
    },
  });
  pusher = `pusher@${PROJECT}.iam.gserviceaccount.com`;
  caller = `caller@${PROJECT}.iam.gserviceaccount.com`;
  emulator.grant(
    `projects/${PROJECT}/locations/us-central1/repositories/images`,
    'roles/artifactregistry.writer',
    `serviceAccount:${pusher}`,
  );
  emulator.grant(pusher, 'roles/iam.serviceAccountTokenCreator', `serviceAccount:${caller}`);
  work = mkdtempSync(join(tmpdir(), 'ar-helper-e2e-'));
  // Docker finds helpers on PATH by name.
  mkdirSync(join(work, 'bin'));
  symlinkSync(HELPER, join(work, 'bin', 'docker-credential-gar'));
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
});

interface Setup {
  /** Environment of the docker CLI, and so of the helper it runs. */
  cli: Record<string, string>;
}

/** A user: temp HOME, DOCKER_CONFIG configured for `hosts`, a gar config marking them Google's. */
async function user(name: string, hosts: string[], extra: Record<string, string>): Promise<Setup> {
  const home = join(work, name);
  mkdirSync(home, { recursive: true });
  const garConfig = join(home, 'gar.json');
  writeFileSync(
    garConfig,
    JSON.stringify({
      registries: Object.fromEntries(hosts.map((host) => [host, { google: true, insecure: true }])),
    }),
  );
  const dockerConfig = join(home, '.docker');
  await configureDocker({ configDir: dockerConfig, hosts });
  const { DOCKER_CONTEXT: _ignored, ...inherited } = process.env;
  return {
    cli: {
      ...(inherited as Record<string, string>),
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      GAR_CONFIG: garConfig,
      DOCKER_CONFIG: dockerConfig,
      DOCKER_HOST: env.dockerHost,
      PATH: `${join(work, 'bin')}:${process.env.PATH}`,
      CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
      GCE_METADATA_HOST: '127.0.0.1:9',
      GAR_HELPER_LOG: join(home, 'helper.log'),
      ...extra,
    },
  };
}

const docker = async (args: string[], setup: Setup): Promise<RunResult> => {
  const result = await runCommand('docker', args, { env: setup.cli, timeoutMs: 120_000 });
  if (result.code !== 0)
    throw new Error(`docker ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
};

async function keyFile(email: string): Promise<string> {
  const path = join(work, `${email.split('@')[0]}-${Date.now()}.json`);
  writeFileSync(path, JSON.stringify(await emulator.createServiceAccountKey(email)));
  return path;
}

/** Loads a fresh image, pushes it as `image`, removes it, pulls it back: the same image ID. */
async function roundTrip(image: string, setup: Setup): Promise<void> {
  const archive = await buildImageArchive({ randomBytes: 64 * 1024 });
  const tar = join(work, `${Date.now()}-${Math.random()}.tar`);
  writeFileSync(tar, archive.tar);
  await docker(['load', '--input', tar], setup);
  await docker(['tag', archive.imageId, image], setup);
  const push = await docker(['push', image], setup);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
  expect(digest, push.stdout).toBeDefined();
  await docker(['rmi', image], setup);
  await docker(['pull', `${image.replace(/:[^:/]+$/, '')}@${digest}`], setup);
  const inspected = await docker(
    ['image', 'inspect', '--format', '{{.Id}}', `${image.replace(/:[^:/]+$/, '')}@${digest}`],
    setup,
  );
  expect(inspected.stdout.trim()).toBe(archive.imageId);
  await docker(['rmi', `${image.replace(/:[^:/]+$/, '')}@${digest}`], setup).catch(() => undefined);
}

describe('docker-credential-gar with the Docker CLI and a real dockerd', () => {
  it('pushes to and pulls from the emulator with a token from a service-account key', async () => {
    const host = emulator.host();
    const setup = await user('key', [host], { GOOGLE_APPLICATION_CREDENTIALS: await keyFile(pusher) });
    await roundTrip(`${host}/${PROJECT}/images/from-key:1`, setup);
  }, 240_000);

  it('pushes with the metadata server’s token', async () => {
    emulator.setMetadataIdentity({ serviceAccount: pusher });
    const host = emulator.host();
    const setup = await user('metadata', [host], { GCE_METADATA_HOST: emulator.metadataHost });
    await roundTrip(`${host}/${PROJECT}/images/from-metadata:1`, setup);
  }, 240_000);

  it('pushes as an impersonated service account', async () => {
    const host = emulator.host();
    const setup = await user('impersonation', [host], {
      GOOGLE_APPLICATION_CREDENTIALS: await keyFile(caller),
      CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: pusher,
      GAR_ENDPOINTS_IAM_CREDENTIALS_URL: emulator.url(),
    });
    await roundTrip(`${host}/${PROJECT}/images/impersonated:1`, setup);
  }, 240_000);

  it('is refused by the emulator when the identity lacks the writer role, and Docker reports it', async () => {
    const host = emulator.host();
    const setup = await user('denied', [host], { GOOGLE_APPLICATION_CREDENTIALS: await keyFile(caller) });
    const archive = await buildImageArchive();
    const tar = join(work, 'denied.tar');
    writeFileSync(tar, archive.tar);
    await docker(['load', '--input', tar], setup);
    const image = `${host}/${PROJECT}/images/denied:1`;
    await docker(['tag', archive.imageId, image], setup);
    const push = await runCommand('docker', ['push', image], { env: setup.cli, timeoutMs: 120_000 });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/denied|unauthorized|forbidden/i);
  }, 240_000);

  it('pushes to the token-auth distribution registry with the cached token the helper hands out', async () => {
    const setup = await user('distribution', [env.registry], {
      GOOGLE_APPLICATION_CREDENTIALS: await keyFile(pusher),
    });
    // The distribution registry's token server knows only tokens it is told about: fetch the token
    // the helper will serve (same config, same cache) and register it.
    const { config } = resolveConfig({ env: setup.cli, cwd: work });
    const token = await createAuth(config).accessToken();
    await tokenAdminClient(env.tokenAdmin).allow({ kind: 'access_token', token: token.token });
    await roundTrip(`${env.registry}/helper-e2e/from-helper:1`, setup);
  }, 240_000);
});
