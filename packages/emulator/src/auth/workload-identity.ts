import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { EmulatorError } from '../errors.js';

/** An OIDC identity provider in a workload identity pool, as the seed declares it. */
export interface WorkloadIdentityProviderSpec {
  id: string;
  /** The `iss` its tokens carry, e.g. `https://token.actions.githubusercontent.com`. */
  issuerUri: string;
  /** Its public keys (what Google would fetch from the issuer's JWKS URL). */
  jwks: { keys: JsonWebKey[] };
  /** Accepted `aud` values. Default, as Google's: `https:` + the provider's resource name. */
  allowedAudiences?: string[];
}

/**
 * `//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL`: pools are
 * named by project number (the one the store gives a project, as the metadata server reports it).
 */
export function poolResource(projectNumber: string, pool: string): string {
  return `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}`;
}

interface Provider extends WorkloadIdentityProviderSpec {
  pool: string;
  audience: string;
}

/**
 * Workload identity federation, as Google's Security Token Service applies it to OIDC providers:
 * an external token (a CI system's ID token) signed by a provider's key, issued by its issuer and
 * meant for it, becomes the principal `principal://iam.googleapis.com/.../subject/SUB`.
 * Attribute mappings and conditions are not modelled: `google.subject` is the token's `sub`.
 */
export class WorkloadIdentity {
  readonly #providers = new Map<string, Provider>();

  /** Adds (or replaces) a provider; returns its audience (its full resource name). */
  addProvider(projectNumber: string, pool: string, spec: WorkloadIdentityProviderSpec): string {
    const audience = `${poolResource(projectNumber, pool)}/providers/${spec.id}`;
    this.#providers.set(audience, { ...spec, pool: poolResource(projectNumber, pool), audience });
    return audience;
  }

  /** Checks `subjectToken` for the provider named by `audience`; returns the federated principal. */
  exchange(audience: string, subjectToken: string, nowMs: number): string {
    const provider = this.#providers.get(audience.replace(/^https:/, ''));
    if (provider === undefined) {
      throw new EmulatorError(
        'AR_EMULATOR_NOT_FOUND',
        `The target service indicated by the "audience" parameter is invalid: no workload identity provider ${audience}.`,
      );
    }
    const claims = verifiedClaims(provider, subjectToken);
    if (claims.iss !== provider.issuerUri) {
      throw refuse(`The issuer in ID Token ${String(claims.iss)} does not match the expected ones.`);
    }
    const allowed = provider.allowedAudiences ?? [`https:${provider.audience}`];
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((value) => allowed.includes(String(value)))) {
      throw refuse('The audience in ID Token does not match the expected audience.');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) throw refuse('ID Token has expired.');
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw refuse('The mapped attribute google.subject is empty: the ID Token has no "sub".');
    }
    return `principal:${provider.pool}/subject/${claims.sub}`;
  }
}

/** A subject token the STS will not exchange: `invalid_grant`, with Google's reason. */
const refuse = (why: string) => new EmulatorError('AR_EMULATOR_INVALID_GRANT', why);

/** The claims of an RS256 JWT signed by one of the provider's keys; anything else is refused. */
function verifiedClaims(provider: Provider, token: string): Record<string, unknown> {
  const [head, body, signature] = token.split('.');
  if (head === undefined || body === undefined || signature === undefined || token.split('.').length !== 3) {
    throw refuse('The subject token is not a JWT.');
  }
  let header: { alg?: string; kid?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw refuse('The subject token is not a JWT.');
  }
  if (header.alg !== 'RS256') throw refuse(`Unsupported ID Token signing algorithm ${String(header.alg)}.`);
  const keys = provider.jwks.keys.filter((key) => header.kid === undefined || key.kid === header.kid);
  const signed = Buffer.from(`${head}.${body}`);
  const valid = keys.some((key) => {
    try {
      return verify(
        'RSA-SHA256',
        signed,
        createPublicKey({ key, format: 'jwk' }),
        Buffer.from(signature, 'base64url'),
      );
    } catch {
      return false;
    }
  });
  if (!valid) throw refuse('Invalid ID Token: its signature does not verify against the provider keys.');
  return claims;
}

/** Policy members for federated identities: one subject, or every identity of a pool. */
export function federatedMemberMatches(member: string, principal: string): boolean {
  return member.startsWith('principalSet:') && member.endsWith('/*')
    ? principal.startsWith(`principal:${member.slice('principalSet:'.length, -1)}subject/`)
    : false;
}
