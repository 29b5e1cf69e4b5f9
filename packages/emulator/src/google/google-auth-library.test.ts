import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOidcIssuer, externalAccountCredentials } from '@ar/test-support';
import { Compute, ExternalAccountClient, Impersonated, JWT, UserRefreshClient } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ADMIN, type Fixture, PROJECT, READER, startFixture, WRITER } from '../testing/fixture.js';

/**
 * Google's own client library against the stand-ins, unchanged except for the endpoint seams it
 * offers: the token URL (a transporter interceptor), GCE_METADATA_HOST, `endpoints.oauth2TokenUrl`
 * and the `endpoint` of Impersonated.
 */
let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ metadata: { serviceAccount: READER } });
  fx.emulator.grant(WRITER, 'roles/iam.serviceAccountTokenCreator', `user:${ADMIN}`);
});
afterAll(async () => {
  await fx.emulator.stop();
});

async function registryStatus(token: string): Promise<number> {
  const response = await fetch(`${fx.emulator.url()}/v2/my-project/repo/app/tags/list`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}

async function uploadStatus(token: string): Promise<number> {
  const response = await fetch(`${fx.emulator.url()}/v2/my-project/repo/app/blobs/uploads/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}

function pointAtEmulator(client: JWT): void {
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      const url = new URL(String(options.url));
      if (url.origin === 'https://oauth2.googleapis.com')
        options.url = new URL(`${fx.emulator.url()}${url.pathname}`);
      return options;
    },
  });
}

describe('Google stand-ins, as google-auth-library 10 sees them', () => {
  it('exchanges a service-account key for an access token (JWT-bearer grant)', async () => {
    const client = new JWT({
      email: fx.writerKey.client_email,
      key: fx.writerKey.private_key,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    pointAtEmulator(client);
    const { token } = await client.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    expect(client.credentials.expiry_date! - Date.now()).toBeGreaterThan(3500_000);
    expect(await registryStatus(token!)).toBe(200);
  });

  it('refuses an assertion signed by a key the emulator did not issue', async () => {
    const client = new JWT({
      email: fx.writerKey.client_email,
      key: fx.readerKey.private_key,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    pointAtEmulator(client);
    await expect(client.getAccessToken()).rejects.toThrow(/invalid_grant/);
  });

  it('accepts the self-signed JWT the library sends when it has no scopes', async () => {
    const client = new JWT({
      email: fx.writerKey.client_email,
      key: fx.writerKey.private_key,
      keyId: fx.writerKey.private_key_id,
    });
    const headers = await client.getRequestHeaders(`${fx.emulator.url()}/v2/`);
    const authorization = headers.get('authorization')!;
    expect(authorization).toMatch(/^Bearer ey/);
    expect(await registryStatus(authorization.slice('Bearer '.length))).toBe(200);
  });

  it('refreshes a user credential minted by the emulator (refresh-token grant)', async () => {
    const credentials = fx.emulator.createUserCredentials(ADMIN);
    const client = new UserRefreshClient({
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      refreshToken: credentials.refresh_token,
      endpoints: { oauth2TokenUrl: fx.emulator.tokenUrl },
    });
    const { token } = await client.getAccessToken();
    expect(await registryStatus(token!)).toBe(200);
    const direct = await fetch(`${fx.emulator.url()}/tokeninfo?access_token=${token}`);
    expect(((await direct.json()) as { email: string }).email).toBe(ADMIN);

    const wrongSecret = new UserRefreshClient({
      clientId: credentials.client_id,
      clientSecret: 'nope',
      refreshToken: credentials.refresh_token,
      endpoints: { oauth2TokenUrl: fx.emulator.tokenUrl },
    });
    await expect(wrongSecret.getAccessToken()).rejects.toThrow(/invalid_client/);
  });

  it('serves tokens, email and project from the metadata server to the Compute client', async () => {
    const previous = process.env.GCE_METADATA_HOST;
    process.env.GCE_METADATA_HOST = fx.emulator.metadataHost;
    try {
      const compute = new Compute();
      const { token } = await compute.getAccessToken();
      expect(await registryStatus(token!)).toBe(200);
      const { instance, project } = await import('gcp-metadata');
      expect(await instance('service-accounts/default/email')).toBe(READER);
      expect(await project('project-id')).toBe('my-project');
    } finally {
      if (previous === undefined) delete process.env.GCE_METADATA_HOST;
      else process.env.GCE_METADATA_HOST = previous;
    }
    const noFlavor = await fetch(
      `${fx.emulator.url()}/computeMetadata/v1/instance/service-accounts/default/token`,
    );
    expect(noFlavor.status).toBe(403);
    expect(noFlavor.headers.get('metadata-flavor')).toBe('Google');
  });

  it('impersonates a service account for a caller with Token Creator, and refuses one without', async () => {
    const source = new UserRefreshClient({
      ...(() => {
        const credentials = fx.emulator.createUserCredentials(ADMIN);
        return {
          clientId: credentials.client_id,
          clientSecret: credentials.client_secret,
          refreshToken: credentials.refresh_token,
        };
      })(),
      endpoints: { oauth2TokenUrl: fx.emulator.tokenUrl },
    });
    const impersonated = new Impersonated({
      sourceClient: source,
      targetPrincipal: WRITER,
      targetScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      lifetime: 600,
      endpoint: fx.emulator.url(),
    });
    const { token } = await impersonated.getAccessToken();
    expect(impersonated.credentials.expiry_date! - Date.now()).toBeGreaterThan(500_000);
    expect(impersonated.credentials.expiry_date! - Date.now()).toBeLessThanOrEqual(600_000);
    expect(await registryStatus(token!)).toBe(200);

    const readerKey = fx.readerKey;
    const readerSource = new JWT({
      email: readerKey.client_email,
      key: readerKey.private_key,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    pointAtEmulator(readerSource);
    const denied = new Impersonated({
      sourceClient: readerSource,
      targetPrincipal: WRITER,
      targetScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      endpoint: fx.emulator.url(),
    });
    await expect(denied.getAccessToken()).rejects.toThrow(
      /PERMISSION_DENIED.*iam.serviceAccounts.getAccessToken/,
    );
  });

  it('federates a CI system’s OIDC token at the STS (external_account), directly and impersonating', async () => {
    const ci = createOidcIssuer('https://token.ci.example');
    const audience = fx.emulator.addWorkloadIdentityProvider(PROJECT, 'ci-pool', {
      id: 'ci-oidc',
      issuerUri: ci.issuer,
      jwks: ci.jwks,
    });
    const pool = fx.emulator.workloadIdentityPool(PROJECT, 'ci-pool');
    fx.emulator.grant(`projects/${PROJECT}`, 'roles/artifactregistry.reader', `principalSet:${pool}/*`);
    fx.emulator.grant(WRITER, 'roles/iam.workloadIdentityUser', `principal:${pool}/subject/repo:acme/app`);
    const dir = mkdtempSync(join(tmpdir(), 'ar-emulator-wif-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const tokenFile = join(dir, 'oidc-token');
    writeFileSync(tokenFile, ci.idToken({ sub: 'repo:acme/app', aud: `https:${audience}` }));
    const credentials = externalAccountCredentials({
      audience,
      tokenUrl: fx.emulator.stsUrl,
      subjectTokenFile: tokenFile,
    });

    // The federated principal itself: the pool may read the project's repositories, not write.
    const direct = (await ExternalAccountClient.fromJSON(credentials)!.getAccessToken()).token!;
    expect(await registryStatus(direct)).toBe(200);
    expect(await uploadStatus(direct)).toBe(403);

    const asWriterCredentials = {
      ...credentials,
      service_account_impersonation_url: `${fx.emulator.url()}/v1/projects/-/serviceAccounts/${WRITER}:generateAccessToken`,
    };
    const impersonating = ExternalAccountClient.fromJSON(asWriterCredentials)!;
    const asWriter = (await impersonating.getAccessToken()).token!;
    expect(await uploadStatus(asWriter)).toBe(202);

    // Another subject of the same pool may read, but not act as the writer.
    writeFileSync(tokenFile, ci.idToken({ sub: 'repo:acme/other', aud: `https:${audience}` }));
    const other = ExternalAccountClient.fromJSON(asWriterCredentials)!;
    await expect(other.getAccessToken()).rejects.toThrow(/iam.serviceAccounts.getAccessToken/);
  });
});
