import { EmulatorError } from '../errors.js';
import type { MetadataStore, RepositoryRecord } from '../store/metadata.js';
import { grants, roleFor } from './iam.js';
import { ANONYMOUS, type Identity } from './identity.js';

export function repositoryResource(repo: Pick<RepositoryRecord, 'project' | 'location' | 'name'>): string {
  return `projects/${repo.project}/locations/${repo.location}/repositories/${repo.name}`;
}

/** Authentication (who is calling) and IAM checks (may they), shared by every API. */
export class Access {
  constructor(
    private readonly store: MetadataStore,
    private readonly identity: Identity,
  ) {}

  /**
   * The principal of an `Authorization` header: a Google access token or a self-signed
   * service-account JWT as Bearer, or a Basic login with one of AR's usernames. No header is
   * the anonymous principal; a header that does not check out is an error, never anonymous.
   */
  principalOf(authorization: string | undefined): string {
    if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
    const [scheme = '', ...rest] = authorization.trim().split(/\s+/);
    const value = rest.join(' ');
    if (scheme.toLowerCase() === 'bearer') return this.bearer(value);
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new EmulatorError('AR_EMULATOR_UNAUTHENTICATED', 'Malformed Basic credentials.');
      return this.login(decoded.slice(0, colon), decoded.slice(colon + 1));
    }
    throw new EmulatorError('AR_EMULATOR_UNAUTHENTICATED', `Unsupported authorization scheme "${scheme}".`);
  }

  bearer(token: string): string {
    const found = this.identity.resolveAccessToken(token);
    if (found !== undefined) return found.principal;
    if (token.split('.').length === 3 && token.startsWith('ey')) {
      return this.identity.verifySignedJwt(token, 'bearer').principal;
    }
    throw new EmulatorError(
      'AR_EMULATOR_UNAUTHENTICATED',
      'The access token is unknown or expired. Get a new one (gcloud auth print-access-token, or the emulator token endpoint).',
    );
  }

  /**
   * Basic login with AR's usernames: `oauth2accesstoken` and `_dcgcloud_token` (what gcloud's
   * own credential helper sends) with an access token, `_json_key`, `_json_key_base64`.
   */
  login(username: string, password: string): string {
    switch (username) {
      case 'oauth2accesstoken':
      case '_dcgcloud_token':
        return this.bearer(password);
      case '_json_key':
        return this.identity.verifyKeyFile(password);
      case '_json_key_base64':
        return this.identity.verifyKeyFile(Buffer.from(password.trim(), 'base64').toString('utf8'));
      default:
        throw new EmulatorError(
          'AR_EMULATOR_UNAUTHENTICATED',
          `Unsupported username "${username}": use oauth2accesstoken or _dcgcloud_token (with an access token), _json_key or _json_key_base64 (with a service-account key).`,
        );
    }
  }

  can(principal: string, repo: RepositoryRecord, permission: string): boolean {
    return (
      grants(this.store.repositoryBindings(repo.id), principal, permission) ||
      this.canOnProject(principal, repo.project, permission)
    );
  }

  canOnProject(principal: string, project: string, permission: string): boolean {
    return grants(this.store.projectBindings(project), principal, permission);
  }

  /** Throws UNAUTHENTICATED for the anonymous caller (so clients retry with credentials), DENIED otherwise. */
  require(principal: string, repo: RepositoryRecord, permission: string): void {
    if (this.can(principal, repo, permission)) return;
    throw this.denial(principal, repositoryResource(repo), permission);
  }

  denial(principal: string, resource: string, permission: string): EmulatorError {
    if (principal === ANONYMOUS) {
      return new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        `Unauthenticated request. Permission "${permission}" on "${resource}" requires credentials: authenticate (docker login, a credential helper, or an access token).`,
      );
    }
    return new EmulatorError(
      'AR_EMULATOR_DENIED',
      `Permission "${permission}" denied on resource "${resource}" (or it may not exist): ${principal} does not have it. Grant ${roleFor(permission)} on the repository or project.`,
      { detail: { principal, resource, permission, role: roleFor(permission) } },
    );
  }
}
