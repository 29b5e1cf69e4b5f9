import { createOidcIssuer } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator.js';
import { seedProblems } from '../seed.js';

const ci = createOidcIssuer('https://token.ci.example');
const impostor = createOidcIssuer('https://token.ci.example');
let emulator: Emulator;
let AUDIENCE: string;

beforeAll(async () => {
  emulator = await startEmulator({
    seed: {
      projects: [
        {
          id: 'sts-tests',
          workloadIdentityPools: [
            { id: 'ci-pool', providers: [{ id: 'ci-oidc', issuerUri: ci.issuer, jwks: ci.jwks }] },
          ],
        },
      ],
    },
  });
  AUDIENCE = `${emulator.workloadIdentityPool('sts-tests', 'ci-pool')}/providers/ci-oidc`;
});
afterAll(async () => {
  await emulator?.stop();
});

function exchange(fields: Record<string, string>) {
  return fetch(emulator.stsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: ci.idToken({ sub: 'repo:acme/app', aud: `https:${AUDIENCE}` }),
      ...fields,
    }),
  });
}

describe('the Security Token Service stand-in', () => {
  it('exchanges an OIDC token of a seeded provider for a federated access token', async () => {
    const response = await exchange({});
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const v2 = await fetch(`${emulator.url()}/v2/`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(v2.status).toBe(200);
  });

  const now = Math.floor(Date.now() / 1000);
  // Fields as functions: the audience is known once the emulator runs.
  const forUs = (claims: Record<string, unknown>) => ci.idToken({ aud: `https:${AUDIENCE}`, ...claims });
  it.each<[string, () => Record<string, string>, string, RegExp]>([
    [
      'another audience',
      () => ({ audience: AUDIENCE.replace(/ci-oidc$/, 'nope') }),
      'invalid_target',
      /no workload identity provider/,
    ],
    [
      'a token signed by another key',
      () => ({ subject_token: impostor.idToken({ sub: 's', aud: `https:${AUDIENCE}` }) }),
      'invalid_grant',
      /signature/,
    ],
    [
      'a token of another issuer',
      () => ({
        subject_token: createOidcIssuer('https://other.example').idToken({
          sub: 's',
          aud: `https:${AUDIENCE}`,
        }),
      }),
      'invalid_grant',
      /signature|issuer/,
    ],
    [
      'a token meant for someone else',
      () => ({ subject_token: ci.idToken({ sub: 's', aud: 'https://elsewhere.example' }) }),
      'invalid_grant',
      /audience/,
    ],
    [
      'an expired token',
      () => ({ subject_token: forUs({ sub: 's', exp: now - 60 }) }),
      'invalid_grant',
      /expired/,
    ],
    ['a token without a subject', () => ({ subject_token: forUs({}) }), 'invalid_grant', /google\.subject/],
    ['no subject token', () => ({ subject_token: '' }), 'invalid_request', /subject_token/],
    [
      'a SAML assertion',
      () => ({ subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }),
      'invalid_request',
      /OIDC/,
    ],
    ['another grant type', () => ({ grant_type: 'client_credentials' }), 'invalid_request', /grant_type/],
  ])('refuses %s', async (_case, fields, error, description) => {
    const response = await exchange(fields());
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toBe(error);
    expect(body.error_description).toMatch(description);
  });

  it('reports a seeded provider without keys or issuer, and federated members that are not well formed', () => {
    const problems = seedProblems({
      projects: [
        {
          id: 'sts-tests',
          iam: [
            { role: 'roles/artifactregistry.reader', members: ['principalSet://iam.googleapis.com/pools/x'] },
          ],
          workloadIdentityPools: [
            { id: 'ci-pool', providers: [{ id: 'ci-oidc', issuerUri: 'http://plain', jwks: { keys: [] } }] },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^projects\[0\]\.iam\[0\]\.members: .*is not a policy member/),
      'projects[0].workloadIdentityPools[0].providers[0].issuerUri: an https:// URL is required',
      "projects[0].workloadIdentityPools[0].providers[0].jwks.keys: the provider's public keys (JWK) are required",
    ]);
  });
});
