import { generateKeyPairSync, type JsonWebKey, randomBytes, sign } from 'node:crypto';

/**
 * An OIDC token issuer, as a CI system is one (GitHub Actions, GitLab): an RSA key, its public
 * JWK set (what a workload identity provider trusts), and ID tokens signed with it.
 */
export interface OidcIssuer {
  readonly issuer: string;
  readonly jwks: { keys: JsonWebKey[] };
  /** An RS256 ID token: `iss`, `iat` and `exp` (in an hour) set, then `claims` on top. */
  idToken(claims: Record<string, unknown>): string;
}

export function createOidcIssuer(issuer = 'https://token.ci.example'): OidcIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    issuer,
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    idToken(claims) {
      const now = Math.floor(Date.now() / 1000);
      const input = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode({ iss: issuer, iat: now, exp: now + 3600, ...claims })}`;
      return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
    },
  };
}

export interface ExternalAccountCredentials {
  type: 'external_account';
  audience: string;
  subject_token_type: string;
  token_url: string;
  credential_source: { file: string };
  service_account_impersonation_url?: string;
}

/**
 * The JSON of an `external_account` credentials file for an OIDC token kept in a file, as
 * `google-github-actions/auth` and `gcloud iam workload-identity-pools create-cred-config` write
 * one; with `serviceAccountImpersonationUrl`, the federated identity then acts as that account.
 */
export function externalAccountCredentials(options: {
  audience: string;
  tokenUrl: string;
  subjectTokenFile: string;
  serviceAccountImpersonationUrl?: string;
}): ExternalAccountCredentials {
  return {
    type: 'external_account',
    audience: options.audience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: options.tokenUrl,
    credential_source: { file: options.subjectTokenFile },
    ...(options.serviceAccountImpersonationUrl
      ? { service_account_impersonation_url: options.serviceAccountImpersonationUrl }
      : {}),
  };
}
