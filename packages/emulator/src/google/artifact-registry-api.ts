import { createHash } from 'node:crypto';
import {
  type CleanupPolicy,
  isCleanupPolicyError,
  policiesFromRest,
  policiesToRest,
} from '@ar/cleanup-policy';
import { projectIdToPath, tryParseArResourceName } from '@ar/image-ref';
import { type Access, repositoryResource } from '../auth/access.js';
import { memberProblem, PERMISSIONS, ROLE_PERMISSIONS } from '../auth/iam.js';
import { ANONYMOUS, type Identity } from '../auth/identity.js';
import { asEmulatorError, EmulatorError } from '../errors.js';
import { type Exchange, header, sendGoogleError, sendJson } from '../http/exchange.js';
import { arHost, KNOWN_LOCATIONS, locationProblem, projectIdProblem, repositoryIdProblem } from '../names.js';
import type { Artifacts } from '../registry/artifacts.js';
import type {
  Binding,
  RemoteConfig,
  RepositoryMode,
  RepositoryRecord,
  UpstreamPolicy,
} from '../store/metadata.js';
import { PackagesApi } from './packages-api.js';
import { doneOperation, EMPTY_RESPONSE, invalid, iso, page, readJsonObject, TYPE_PREFIX } from './rest.js';

/** Enum numbers, for clients that send `$alt=json;enum-encoding=int` (the gax REST fallback). */
const MODES: Record<string, RepositoryMode> = {
  // Unspecified means standard, as in AR.
  '0': 'STANDARD_REPOSITORY',
  MODE_UNSPECIFIED: 'STANDARD_REPOSITORY',
  '1': 'STANDARD_REPOSITORY',
  '2': 'VIRTUAL_REPOSITORY',
  '3': 'REMOTE_REPOSITORY',
  STANDARD_REPOSITORY: 'STANDARD_REPOSITORY',
  VIRTUAL_REPOSITORY: 'VIRTUAL_REPOSITORY',
  REMOTE_REPOSITORY: 'REMOTE_REPOSITORY',
};

/**
 * The Artifact Registry REST API v1 subset gcloud and Google's client libraries use, in Google's
 * JSON shapes: locations (also at v1beta2, where gcloud lists them), repositories (+ IAM policy),
 * operations, and through `PackagesApi` dockerImages, packages, versions and tags.
 */
export class ArtifactRegistryApi {
  readonly #packages: PackagesApi;

  constructor(
    private readonly artifacts: Artifacts,
    private readonly access: Access,
    private readonly identity: Identity,
  ) {
    this.#packages = new PackagesApi(artifacts, access, identity);
  }

  /** The paths it serves: `/v1/projects/…`, and `/v1beta2/projects/P/locations[/L]`. */
  static matches(path: string): boolean {
    return path.startsWith('/v1/') || /^\/v1beta2\/projects\/[^/]+\/locations(\/[^/]+)?$/.test(path);
  }

  async handle(exchange: Exchange): Promise<void> {
    try {
      await this.#route(exchange);
    } catch (error) {
      if (!exchange.req.readableEnded) exchange.req.resume();
      sendGoogleError(exchange, asEmulatorError(error));
    }
  }

  async #route(exchange: Exchange): Promise<void> {
    const principal = this.access.principalOf(header(exchange, 'authorization'));
    exchange.log.principal = principal;
    if (principal === ANONYMOUS) {
      throw new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const method = exchange.req.method ?? 'GET';
    // Path segments stay encoded until split: image names carry %2F.
    const raw = exchange.url.pathname.replace(/^\/v1(beta2)?\//, '');
    const parts = raw.split('/').map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        throw invalid(`Invalid percent-encoding in "${part}".`);
      }
    });
    if (parts[0] !== 'projects' || parts[1] === undefined)
      throw new EmulatorError('AR_EMULATOR_NOT_FOUND', 'Not found.');
    const project = parts[1];
    const projectError = projectIdProblem(project);
    if (projectError !== undefined) throw invalid(`${projectError}.`);
    if (parts.length === 3 && parts[2] === 'locations' && method === 'GET')
      return this.#listLocations(exchange, project);
    if (parts[2] !== 'locations' || parts[3] === undefined)
      throw new EmulatorError('AR_EMULATOR_NOT_FOUND', 'Not found.');
    const location = parts[3];
    const locationError = locationProblem(location);
    if (locationError !== undefined) throw invalid(`${locationError}.`);
    if (parts.length === 4 && method === 'GET')
      return sendJson(exchange, 200, this.#location(project, location));
    if (parts[4] === 'operations' && parts[5] !== undefined && parts.length === 6 && method === 'GET') {
      const operation = this.artifacts.store.operation(
        `projects/${project}/locations/${location}/operations/${parts[5]}`,
      );
      if (operation === undefined)
        throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `Operation ${parts[5]} not found.`);
      return sendJson(exchange, 200, operation);
    }
    if (parts[4] !== 'repositories') throw new EmulatorError('AR_EMULATOR_NOT_FOUND', 'Not found.');
    if (parts.length === 5) {
      if (method === 'GET') return this.#listRepositories(exchange, principal, project, location);
      if (method === 'POST') return this.#createRepository(exchange, principal, project, location);
    }
    const [repoId = '', verb] = (parts[5] ?? '').split(':');
    const repo = this.#repository(principal, project, location, repoId);
    if (parts.length === 6) {
      switch (`${method} ${verb ?? ''}`) {
        case 'GET ':
          this.access.require(principal, repo, PERMISSIONS.repoGet);
          return sendJson(exchange, 200, this.#repositoryJson(repo));
        case 'PATCH ':
          return this.#patchRepository(exchange, principal, repo);
        case 'DELETE ':
          return this.#deleteRepository(exchange, principal, repo);
        case 'GET getIamPolicy':
        case 'POST getIamPolicy':
          if (method === 'POST') exchange.req.resume();
          this.access.require(principal, repo, PERMISSIONS.getIamPolicy);
          return sendJson(exchange, 200, this.#policy(repo));
        case 'POST setIamPolicy':
          return this.#setIamPolicy(exchange, principal, repo);
        case 'POST testIamPermissions':
          return this.#testIamPermissions(exchange, principal, repo);
      }
      throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `No method ${method} ${verb ?? ''} on repositories.`);
    }
    if (await this.#packages.route(exchange, principal, repo, parts.slice(6))) return;
    throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `No method ${method} ${exchange.url.pathname}.`);
  }

  #location(project: string, location: string): unknown {
    return { name: `projects/${project}/locations/${location}`, locationId: location, displayName: location };
  }

  #listLocations(exchange: Exchange, project: string): void {
    const locations = KNOWN_LOCATIONS.map((location) => this.#location(project, location));
    sendJson(exchange, 200, page(locations, exchange, 'locations'));
  }

  #repository(principal: string, project: string, location: string, name: string): RepositoryRecord {
    const repo = this.artifacts.store.repository(project, location, name);
    if (repo === undefined) {
      const resource = repositoryResource({ project, location, name });
      if (!this.access.canOnProject(principal, project, PERMISSIONS.repoGet)) {
        throw this.access.denial(principal, resource, PERMISSIONS.repoGet);
      }
      throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `Requested entity was not found: ${resource}.`);
    }
    return repo;
  }

  #repositoryJson(repo: RepositoryRecord): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: repositoryResource(repo),
      format: 'DOCKER',
      description: repo.description,
      labels: repo.labels,
      createTime: iso(repo.createMs),
      updateTime: iso(repo.updateMs),
      mode: repo.mode,
      sizeBytes: String(this.artifacts.store.repositorySize(repo.id)),
      registryUri: `${arHost(repo.location)}/${projectIdToPath(repo.project)}/${repo.name}`,
      satisfiesPzs: false,
      satisfiesPzi: false,
    };
    if (repo.mode === 'STANDARD_REPOSITORY') json.dockerConfig = { immutableTags: repo.immutableTags };
    if (repo.remote !== undefined) {
      json.remoteRepositoryConfig = {
        description: repo.remote.description ?? '',
        dockerRepository: { customRepository: { uri: repo.remote.uri } },
        ...(repo.remote.username === undefined
          ? {}
          : { upstreamCredentials: { usernamePasswordCredentials: { username: repo.remote.username } } }),
      };
    }
    if (repo.mode === 'VIRTUAL_REPOSITORY') {
      json.virtualRepositoryConfig = { upstreamPolicies: repo.upstreams };
    }
    // As AR's proto3 JSON: empty and false fields are left out.
    if (repo.cleanupPolicies.length > 0) json.cleanupPolicies = policiesToRest(repo.cleanupPolicies);
    if (repo.cleanupPolicyDryRun) json.cleanupPolicyDryRun = true;
    return json;
  }

  #listRepositories(exchange: Exchange, principal: string, project: string, location: string): void {
    const projectWide = this.access.canOnProject(principal, project, PERMISSIONS.repoList);
    const visible = this.artifacts.store
      .repositories(project, location)
      .filter((repo) => projectWide || this.access.can(principal, repo, PERMISSIONS.repoGet));
    if (!projectWide && visible.length === 0) {
      throw this.access.denial(principal, `projects/${project}/locations/${location}`, PERMISSIONS.repoList);
    }
    const repositories = visible.map((repo) => this.#repositoryJson(repo));
    sendJson(exchange, 200, page(repositories, exchange, 'repositories'));
  }

  async #createRepository(
    exchange: Exchange,
    principal: string,
    project: string,
    location: string,
  ): Promise<void> {
    const resource = `projects/${project}/locations/${location}`;
    if (!this.access.canOnProject(principal, project, PERMISSIONS.repoCreate)) {
      throw this.access.denial(principal, resource, PERMISSIONS.repoCreate);
    }
    const body = await readJsonObject(exchange);
    const id = exchange.url.searchParams.get('repositoryId') ?? '';
    const idError = repositoryIdProblem(id);
    if (idError !== undefined) throw invalid(`repositoryId: ${idError}.`);
    const repo = createRepository(this.artifacts, project, location, id, body, this.identity.now());
    const operation = doneOperation(this.artifacts.store, this.identity, project, location, {
      '@type': `${TYPE_PREFIX}.Repository`,
      ...this.#repositoryJson(repo),
    });
    sendJson(exchange, 200, operation);
  }

  async #patchRepository(exchange: Exchange, principal: string, repo: RepositoryRecord): Promise<void> {
    this.access.require(principal, repo, PERMISSIONS.repoUpdate);
    const body = await readJsonObject(exchange);
    const mask = exchange.url.searchParams.get('updateMask');
    const fields =
      mask === null || mask === '' ? unmaskedFields(body) : mask.split(',').map((field) => field.trim());
    const updated: RepositoryRecord = { ...repo };
    for (const field of fields) {
      switch (field) {
        case 'description':
          updated.description = String(body.description ?? '');
          break;
        case 'labels':
          updated.labels = (body.labels ?? {}) as Record<string, string>;
          break;
        case 'dockerConfig':
        case 'docker_config':
        case 'dockerConfig.immutableTags':
        case 'docker_config.immutable_tags':
          updated.immutableTags = Boolean(
            (body.dockerConfig as { immutableTags?: unknown } | undefined)?.immutableTags,
          );
          break;
        case 'virtualRepositoryConfig':
        case 'virtual_repository_config':
        case 'virtualRepositoryConfig.upstreamPolicies':
          if (repo.mode !== 'VIRTUAL_REPOSITORY')
            throw invalid('Only virtual repositories have upstream policies.');
          updated.upstreams = upstreamPolicies(body.virtualRepositoryConfig);
          break;
        case 'cleanupPolicies':
        case 'cleanup_policies':
          updated.cleanupPolicies = cleanupPolicies(body.cleanupPolicies);
          break;
        case 'cleanupPolicyDryRun':
        case 'cleanup_policy_dry_run':
          updated.cleanupPolicyDryRun = body.cleanupPolicyDryRun === true;
          break;
        default:
          throw invalid(`Field "${field}" cannot be updated by the emulator.`);
      }
    }
    const saved = this.artifacts.store.updateRepository(updated, this.identity.now());
    sendJson(exchange, 200, this.#repositoryJson(saved));
  }

  #deleteRepository(exchange: Exchange, principal: string, repo: RepositoryRecord): void {
    this.access.require(principal, repo, PERMISSIONS.repoDelete);
    this.artifacts.store.deleteRepository(repo.id);
    sendJson(
      exchange,
      200,
      doneOperation(this.artifacts.store, this.identity, repo.project, repo.location, { ...EMPTY_RESPONSE }),
    );
  }

  #policy(repo: RepositoryRecord): Record<string, unknown> {
    const version = this.artifacts.store.policyVersion(repo.id);
    const bindings = this.artifacts.store.repositoryBindings(repo.id);
    const etag = createHash('sha256')
      .update(`${repo.id}:${version}`)
      .digest()
      .subarray(0, 8)
      .toString('base64');
    return { version: 1, etag, ...(bindings.length === 0 ? {} : { bindings }) };
  }

  async #setIamPolicy(exchange: Exchange, principal: string, repo: RepositoryRecord): Promise<void> {
    this.access.require(principal, repo, PERMISSIONS.setIamPolicy);
    const body = await readJsonObject(exchange);
    const policy = body.policy as { bindings?: unknown; etag?: unknown } | undefined;
    if (policy === undefined || typeof policy !== 'object') throw invalid('policy is required.');
    const current = this.#policy(repo);
    if (policy.etag !== undefined && policy.etag !== current.etag) {
      throw new EmulatorError(
        'AR_EMULATOR_FAILED_PRECONDITION',
        'The policy was changed since it was read (etag mismatch): read it again and retry.',
      );
    }
    const bindings: Binding[] = [];
    for (const entry of Array.isArray(policy.bindings) ? policy.bindings : []) {
      const { role, members } = entry as { role?: unknown; members?: unknown };
      if (typeof role !== 'string' || ROLE_PERMISSIONS[role] === undefined) {
        throw invalid(`Role ${String(role)} is not supported by the emulator.`);
      }
      if (!Array.isArray(members)) throw invalid(`Binding for ${role} has no members array.`);
      for (const member of members) {
        const problem = memberProblem(String(member));
        if (problem !== undefined) throw invalid(`${problem}.`);
      }
      bindings.push({ role, members: members.map(String) });
    }
    this.artifacts.store.replaceRepositoryBindings(repo.id, bindings);
    sendJson(exchange, 200, this.#policy(repo));
  }

  async #testIamPermissions(exchange: Exchange, principal: string, repo: RepositoryRecord): Promise<void> {
    const body = await readJsonObject(exchange);
    const asked = Array.isArray(body.permissions) ? body.permissions.map(String) : [];
    const permissions = asked.filter((permission) => this.access.can(principal, repo, permission));
    sendJson(exchange, 200, permissions.length === 0 ? {} : { permissions });
  }
}

function upstreamPolicies(config: unknown): UpstreamPolicy[] {
  const policies = (config as { upstreamPolicies?: unknown } | undefined)?.upstreamPolicies;
  if (!Array.isArray(policies)) return [];
  return policies.map((entry, index) => {
    const { id, repository, priority } = entry as Record<string, unknown>;
    const named = typeof repository === 'string' ? tryParseArResourceName(repository) : undefined;
    if (typeof repository !== 'string' || !named?.ok || named.value.kind !== 'repository') {
      throw invalid(`upstreamPolicies[${index}].repository must be projects/P/locations/L/repositories/R.`);
    }
    return {
      id: typeof id === 'string' ? id : `upstream-${index + 1}`,
      repository,
      priority: Number(priority ?? 0),
    };
  });
}

/** What a PATCH sets and cannot: output-only fields and those fixed at creation. */
const NOT_UPDATED = new Set([
  'name',
  'format',
  'mode',
  'createTime',
  'updateTime',
  'sizeBytes',
  'registryUri',
  'satisfiesPzs',
  'satisfiesPzi',
]);

/**
 * The fields a PATCH without `updateMask` updates: those in the body, less output-only ones. A
 * whole resource read back and sent (gcloud's read-modify-write, `delete-cleanup-policies`)
 * replaces the policies even when none are left, which proto3 JSON leaves out.
 */
function unmaskedFields(body: Record<string, unknown>): string[] {
  const fields = Object.keys(body).filter((field) => !NOT_UPDATED.has(field));
  if (body.name !== undefined && !fields.includes('cleanupPolicies')) fields.push('cleanupPolicies');
  return fields;
}

/** A REST `cleanupPolicies` map, validated by `@ar/cleanup-policy` (its message, as AR's 400). */
function cleanupPolicies(map: unknown): CleanupPolicy[] {
  try {
    return policiesFromRest(map);
  } catch (error) {
    if (isCleanupPolicyError(error)) throw invalid(error.message);
    throw error;
  }
}

/**
 * Creates a repository from a REST `Repository` body (also how the seed file creates them).
 * Throws ALREADY_EXISTS, or INVALID_ARGUMENT naming the bad field.
 */
export function createRepository(
  artifacts: Artifacts,
  project: string,
  location: string,
  id: string,
  body: Record<string, unknown>,
  now: number,
): RepositoryRecord {
  const format = String(body.format ?? 'DOCKER');
  if (format !== 'DOCKER' && format !== '1') {
    throw invalid(`Format ${format} is not supported by the emulator: only DOCKER.`);
  }
  const mode = MODES[String(body.mode ?? 'STANDARD_REPOSITORY')];
  if (mode === undefined) throw invalid(`Unknown repository mode ${String(body.mode)}.`);
  let remote: RemoteConfig | undefined;
  if (mode === 'REMOTE_REPOSITORY') {
    const config = (body.remoteRepositoryConfig ?? {}) as Record<string, unknown>;
    const docker = (config.dockerRepository ?? {}) as Record<string, unknown>;
    const custom = (docker.customRepository ?? {}) as Record<string, unknown>;
    let uri = typeof custom.uri === 'string' ? custom.uri : undefined;
    if (docker.publicRepository === 'DOCKER_HUB' || docker.publicRepository === 1)
      uri = 'https://registry-1.docker.io';
    if (uri === undefined || !/^https?:\/\//.test(uri)) {
      throw invalid(
        'remoteRepositoryConfig.dockerRepository needs customRepository.uri (http:// or https://) or publicRepository DOCKER_HUB.',
      );
    }
    const credentials = ((config.upstreamCredentials as Record<string, unknown> | undefined)
      ?.usernamePasswordCredentials ?? {}) as Record<string, unknown>;
    remote = {
      uri,
      ...(typeof config.description === 'string' ? { description: config.description } : {}),
      ...(typeof credentials.username === 'string' ? { username: credentials.username } : {}),
      ...(typeof credentials.password === 'string' ? { password: credentials.password } : {}),
    };
  }
  const upstreams = mode === 'VIRTUAL_REPOSITORY' ? upstreamPolicies(body.virtualRepositoryConfig) : [];
  if (artifacts.store.repository(project, location, id) !== undefined) {
    throw new EmulatorError(
      'AR_EMULATOR_ALREADY_EXISTS',
      `the repository already exists: projects/${project}/locations/${location}/repositories/${id}`,
    );
  }
  return artifacts.store.createRepository(
    {
      project,
      location,
      name: id,
      format: 'DOCKER',
      mode,
      description: typeof body.description === 'string' ? body.description : '',
      labels: (body.labels ?? {}) as Record<string, string>,
      immutableTags: Boolean((body.dockerConfig as { immutableTags?: unknown } | undefined)?.immutableTags),
      remote,
      upstreams,
      cleanupPolicies: cleanupPolicies(body.cleanupPolicies),
      cleanupPolicyDryRun: body.cleanupPolicyDryRun === true,
    },
    now,
  );
}
