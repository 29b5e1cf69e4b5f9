// Every Google-backed source against the emulator's stand-ins for Google: its OAuth token
// endpoint, metadata server and IAM Credentials API, through google-auth-library itself.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, emulatorClientConfig } from '@ar/emulator';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { isArError } from '@ar/errors';
import { createOidcIssuer, externalAccountCredentials } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from './auth.js';
import { tempHome } from './test/fixtures.js';

let fixture: TestEmulator;
let emulator: Emulator;
let pusher: string;
let target: string;
let middle: string;
beforeAll(async () => {
  fixture = await startTestEmulator({
    project: 'auth-tests',
    accounts: { pusher: null, deployer: null, 'relay-sa': null },
  });
  emulator = fixture.emulator;
  pusher = fixture.email('pusher');
  target = fixture.email('deployer');
  middle = fixture.email('relay-sa');
});
afterAll(async () => {
  await fixture?.stop();
});

/** Endpoints of a config pointed at the emulator, as a user would write them. */
const atEmulator = () => emulatorClientConfig(emulator).endpoints;

/** The emulator's registry accepts a Google access token directly as Bearer: proof the token is real. */
async function registryAccepts(token: string): Promise<boolean> {
  const response = await fetch(`${emulator.url()}/v2/`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status === 200;
}

async function keyFileFor(home: string, email: string): Promise<string> {
  const path = join(home, `${email.split('@')[0]}.json`);
  writeFileSync(path, JSON.stringify(await emulator.createServiceAccountKey(email)));
  return path;
}

describe('Google-backed sources', () => {
  it('exchanges a service-account key for a token at the configured token endpoint', async () => {
    const { home, config } = tempHome({ endpoints: atEmulator() });
    const auth = createAuth({
      ...config,
      auth: { ...config.auth, credentialsFile: await keyFileFor(home, pusher) },
    });
    const token = await auth.accessToken();
    expect(token).toMatchObject({ source: 'service-account-key', account: pusher });
    expect(token.expiresAt! - Date.now()).toBeGreaterThan(3_500_000);
    expect(await registryAccepts(token.token)).toBe(true);
    expect(await registryAccepts('ya29.made-up')).toBe(false);
  });

  it('refreshes gcloud ADC user credentials (authorized_user) through the refresh-token grant', async () => {
    const { home, config } = tempHome({ endpoints: atEmulator() });
    mkdirSync(join(home, '.config', 'gcloud'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'gcloud', 'application_default_credentials.json'),
      JSON.stringify(emulator.createUserCredentials('dev@example.com')),
    );
    const token = await createAuth(config).accessToken();
    expect(token.source).toBe('adc');
    expect(await registryAccepts(token.token)).toBe(true);
  });

  it('federates a CI system’s OIDC token (external_account ADC) and impersonates through it', async () => {
    const ci = createOidcIssuer('https://token.ci.example');
    const audience = emulator.addWorkloadIdentityProvider('auth-tests', 'ci-pool', {
      id: 'ci-oidc',
      issuerUri: ci.issuer,
      jwks: ci.jwks,
    });
    const pool = emulator.workloadIdentityPool('auth-tests', 'ci-pool');
    emulator.grant(target, 'roles/iam.workloadIdentityUser', `principal:${pool}/subject/repo:acme/app`);
    const { home, config } = tempHome({ endpoints: atEmulator() });
    // What google-github-actions/auth writes: the OIDC token in a file, the STS, the account to act as.
    const oidcToken = join(home, 'oidc-token');
    writeFileSync(oidcToken, ci.idToken({ sub: 'repo:acme/app', aud: `https:${audience}` }));
    const credentialsFile = join(home, 'external-account.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify(
        externalAccountCredentials({
          audience,
          tokenUrl: emulator.stsUrl,
          subjectTokenFile: oidcToken,
          serviceAccountImpersonationUrl: `${emulator.url()}/v1/projects/-/serviceAccounts/${target}:generateAccessToken`,
        }),
      ),
    );
    const withFile = { ...config, auth: { ...config.auth, credentialsFile } };
    const token = await createAuth(withFile).accessToken();
    expect(token).toMatchObject({ source: 'adc', account: target });
    expect(await registryAccepts(token.token)).toBe(true);

    // An expired CI token: the STS's reason reaches the user, the token does not.
    writeFileSync(oidcToken, ci.idToken({ sub: 'repo:acme/app', aud: `https:${audience}`, exp: 1 }));
    const error = await createAuth({ ...withFile, auth: { ...withFile.auth, cacheDir: join(home, 'fresh') } })
      .accessToken()
      .catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_TOKEN_REFUSED')).toBe(true);
    expect((error as Error).message).toMatch(
      /external_account credentials in .*external-account\.json.*expired/,
    );
  });

  it('takes the instance token and account from the metadata server', async () => {
    emulator.setMetadataIdentity({ serviceAccount: pusher, projectId: 'auth-tests' });
    const { config } = tempHome({ endpoints: atEmulator(), auth: { sources: ['metadata'] } });
    const auth = createAuth(config);
    const description = await auth.describe();
    expect(description).toMatchObject({
      source: 'metadata',
      account: pusher,
      origin: `metadata server ${emulator.metadataHost}`,
    });
    expect(await registryAccepts((await auth.accessToken()).token)).toBe(true);
  });

  it('impersonates a service account through a delegate chain with IAM Credentials', async () => {
    emulator.grant(middle, 'roles/iam.serviceAccountTokenCreator', `serviceAccount:${pusher}`);
    emulator.grant(target, 'roles/iam.serviceAccountTokenCreator', `serviceAccount:${middle}`);
    const { home, config } = tempHome({
      endpoints: atEmulator(),
      auth: { impersonateServiceAccount: target, delegates: [middle] },
    });
    const auth = createAuth({
      ...config,
      auth: { ...config.auth, credentialsFile: await keyFileFor(home, pusher) },
    });
    const token = await auth.accessToken();
    expect(token).toMatchObject({ source: 'service-account-key', account: target });
    expect(await registryAccepts(token.token)).toBe(true);
  });

  it('says which role is missing when impersonation is refused', async () => {
    const stranger = emulator.createServiceAccount('auth-tests', 'stranger');
    const { home, config } = tempHome({
      endpoints: atEmulator(),
      auth: { impersonateServiceAccount: target },
    });
    const auth = createAuth({
      ...config,
      auth: { ...config.auth, credentialsFile: await keyFileFor(home, stranger) },
    });
    const error = await auth.accessToken().catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_IMPERSONATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`Could not impersonate ${target}`);
    expect((error as Error).message).toContain('roles/iam.serviceAccountTokenCreator');
  });

  it('reports a refused key without echoing it', async () => {
    const { home, config } = tempHome({ endpoints: atEmulator() });
    const path = await keyFileFor(home, pusher);
    const key = JSON.parse(readFileSync(path, 'utf8'));
    // Signed with a key the emulator never issued: the token endpoint must refuse the assertion.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = { ...key, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
    writeFileSync(path, JSON.stringify(forged));
    const error = await createAuth({ ...config, auth: { ...config.auth, credentialsFile: path } })
      .accessToken()
      .catch((e: unknown) => e);
    expect(isArError(error, 'AR_AUTH_TOKEN_REFUSED')).toBe(true);
    expect((error as Error).message).toContain(pusher);
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });

  it('fetches a new token once a short-lived one has used half its life, and shares it across callers', async () => {
    emulator.setTokenTtlSeconds(60);
    try {
      let clock = Date.now();
      const { home, config } = tempHome({ endpoints: atEmulator() });
      const auth = createAuth(
        { ...config, auth: { ...config.auth, credentialsFile: await keyFileFor(home, pusher) } },
        { now: () => clock },
      );
      const first = await Promise.all(Array.from({ length: 10 }, () => auth.accessToken()));
      expect(new Set(first.map((t) => t.token)).size).toBe(1);
      // The token's expiry is on the real clock (now + 60 s when it was minted): place the fake
      // clock against it, so a slow machine cannot move the half-life point under the test.
      const expiresAt = first[0]!.expiresAt!;
      clock = expiresAt - 45_000; // three quarters of its life left
      expect((await auth.accessToken()).token).toBe(first[0]!.token);
      clock = expiresAt - 20_000; // a third left: less than half
      const second = await auth.accessToken();
      expect(second.token).not.toBe(first[0]!.token);
      expect(await registryAccepts(second.token)).toBe(true);
    } finally {
      emulator.setTokenTtlSeconds(3600);
    }
  });
});
