// The tools as users run them: `gar auth configure-docker` on a temp DOCKER_CONFIG, then the Docker
// CLI with a real dockerd pushes and pulls through docker-credential-gar, to the emulator and to
// the token-auth distribution registry, with tokens from a service-account key, the metadata
// server and impersonation.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Emulator } from '@ar/emulator';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import {
  buildImageArchive,
  createOidcIssuer,
  e2eEnv,
  externalAccountCredentials,
  type RunResult,
  runChecked,
  runCommand,
  startFaultProxy,
  tokenAdminClient,
} from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The built executable a package ships under `bin` (turbo builds the packages first). */
function shippedBin(packageName: string, bin: string): string {
  const manifestPath = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifestPath), manifest.bin[bin]!);
}
const GAR = shippedBin('@ar/cli', 'gar');
const HELPER = shippedBin('@ar/docker-credential-gar', 'docker-credential-gar');

const env = e2eEnv();
const PROJECT = 'helper-e2e';
let fixture: TestEmulator;
let emulator: Emulator;
let work: string;
let pusher: string;
let caller: string;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    location: 'us-central1',
    accounts: { pusher: null, caller: null },
    repositories: [
      {
        id: 'images',
        iam: [
          {
            role: 'roles/artifactregistry.writer',
            members: [`serviceAccount:pusher@${PROJECT}.iam.gserviceaccount.com`],
          },
        ],
      },
    ],
  });
  ({ emulator, work } = fixture);
  pusher = fixture.email('pusher');
  caller = fixture.email('caller');
  emulator.grant(pusher, 'roles/iam.serviceAccountTokenCreator', `serviceAccount:${caller}`);
  // Docker finds helpers on PATH by name.
  mkdirSync(join(work, 'bin'));
  symlinkSync(HELPER, join(work, 'bin', 'docker-credential-gar'));
}, 60_000);
afterAll(async () => {
  await fixture?.stop();
});

interface Setup {
  /** Environment of the docker CLI, and so of the helper it runs. */
  cli: Record<string, string>;
}

/**
 * A user: temp HOME, a gar config marking `hosts` Google's, and a DOCKER_CONFIG that
 * `gar auth configure-docker` set up for them.
 */
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
  const { DOCKER_CONTEXT: _ignored, ...inherited } = process.env;
  const setup = {
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
  await runChecked(process.execPath, [GAR, 'auth', 'configure-docker', ...hosts], { env: setup.cli });
  const written = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8'));
  expect(written.credHelpers).toEqual(Object.fromEntries(hosts.map((host) => [host, 'gar'])));
  return setup;
}

/** `gar` as the user of `setup` runs it. */
const gar = (args: string[], setup: Setup) =>
  runChecked(process.execPath, [GAR, ...args], { env: setup.cli });

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

/** The token sources the helper is tested with, each as the environment that selects it. */
const SOURCES: ReadonlyArray<{ name: string; env: () => Promise<Record<string, string>> }> = [
  {
    name: 'a service-account key',
    env: async () => ({ GOOGLE_APPLICATION_CREDENTIALS: await keyFile(pusher) }),
  },
  {
    name: 'the metadata server',
    env: async () => {
      emulator.setMetadataIdentity({ serviceAccount: pusher });
      return { GCE_METADATA_HOST: emulator.metadataHost };
    },
  },
  {
    name: 'workload identity federation (a CI system’s OIDC token, as GitHub Actions gets one)',
    env: async () => {
      const ci = createOidcIssuer('https://token.ci.example');
      const audience = emulator.addWorkloadIdentityProvider(PROJECT, 'ci-pool', {
        id: 'ci-oidc',
        issuerUri: ci.issuer,
        jwks: ci.jwks,
      });
      const pool = emulator.workloadIdentityPool(PROJECT, 'ci-pool');
      emulator.grant(pusher, 'roles/iam.workloadIdentityUser', `principal:${pool}/subject/repo:acme/app`);
      const oidcToken = join(work, `oidc-${Date.now()}`);
      writeFileSync(oidcToken, ci.idToken({ sub: 'repo:acme/app', aud: `https:${audience}` }));
      const credentials = join(work, `external-account-${Date.now()}.json`);
      writeFileSync(
        credentials,
        JSON.stringify(
          externalAccountCredentials({
            audience,
            tokenUrl: emulator.stsUrl,
            subjectTokenFile: oidcToken,
            serviceAccountImpersonationUrl: `${emulator.url()}/v1/projects/-/serviceAccounts/${pusher}:generateAccessToken`,
          }),
        ),
      );
      return { GOOGLE_APPLICATION_CREDENTIALS: credentials };
    },
  },
  {
    name: 'impersonation (a key of another account)',
    env: async () => ({
      GOOGLE_APPLICATION_CREDENTIALS: await keyFile(caller),
      CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: pusher,
      GAR_ENDPOINTS_IAM_CREDENTIALS_URL: emulator.url(),
    }),
  },
];

describe('docker-credential-gar with the Docker CLI and a real dockerd', () => {
  for (const [i, source] of SOURCES.entries()) {
    it(`pushes to and pulls from the emulator with a token from ${source.name}`, async () => {
      const host = emulator.host();
      const setup = await user(`emulator-${i}`, [host], await source.env());
      await roundTrip(`${host}/${PROJECT}/images/source-${i}:1`, setup);
    }, 240_000);

    it(`pushes to and pulls from the token-auth distribution registry with a token from ${source.name}`, async () => {
      const setup = await user(`distribution-${i}`, [env.registry], await source.env());
      // The distribution registry's token server knows only tokens it is told about: the token gar
      // prints is the one the helper will serve (same config, same token cache).
      const token = (await gar(['auth', 'print-access-token'], setup)).stdout.trim();
      await tokenAdminClient(env.tokenAdmin).allow({ kind: 'access_token', token });
      await roundTrip(`${env.registry}/helper-e2e/source-${i}:1`, setup);
    }, 240_000);
  }

  it('does not hand a token with seconds left to a push that outlasts it: it fetches a new one', async () => {
    const proxy = await startFaultProxy({ target: emulator.url() });
    try {
      const setup = await user('long-push', [proxy.host], {
        GOOGLE_APPLICATION_CREDENTIALS: await keyFile(pusher),
      });
      // A token the emulator lets live 5 s, in the cache as if fetched an hour ago: the state an
      // hour of use leaves behind (docker-credential-gcr would hand it out).
      emulator.setTokenTtlSeconds(5);
      const dying = (await gar(['auth', 'print-access-token'], setup)).stdout.trim();
      emulator.setTokenTtlSeconds(3600);
      const tokens = join(setup.cli.XDG_CACHE_HOME!, 'gar', 'tokens');
      const cached = join(tokens, readdirSync(tokens).find((name) => name.endsWith('.json'))!);
      const entry = JSON.parse(readFileSync(cached, 'utf8'));
      expect(entry.token).toBe(dying);
      writeFileSync(cached, JSON.stringify({ ...entry, issuedAt: entry.expiresAt - 3_600_000 }));
      // A long push: its last request, the manifest PUT, waits 8 s in the proxy.
      proxy.inject({ method: 'PUT', path: /\/manifests\//, fault: { kind: 'delay', ms: 8_000 } });
      await roundTrip(`${proxy.host}/${PROJECT}/images/long-push:1`, setup);
      const manifestPut = proxy.exchanges.find((e) => e.method === 'PUT' && e.path.includes('/manifests/'));
      expect(manifestPut).toMatchObject({ fault: 'delay', status: 201 });
      expect(JSON.parse(readFileSync(cached, 'utf8')).token).not.toBe(dying);
      // The dying token would have failed that PUT: the emulator refuses it by now.
      const probe = await fetch(`${emulator.url()}/v2/`, { headers: { authorization: `Bearer ${dying}` } });
      expect(probe.status).toBe(401);
    } finally {
      await proxy.stop();
    }
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
});
