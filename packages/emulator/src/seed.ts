import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type PolicyFileEntry, policiesFromFile, policiesToRest } from '@ar/cleanup-policy';
import { memberProblem, ROLE_PERMISSIONS } from './auth/iam.js';
import type { AuthorizedUserFile, Identity, ServiceAccountKeyFile } from './auth/identity.js';
import type { WorkloadIdentity, WorkloadIdentityProviderSpec } from './auth/workload-identity.js';
import { EmulatorError } from './errors.js';
import { createRepository } from './google/artifact-registry-api.js';
import { locationProblem, projectIdProblem, repositoryIdProblem } from './names.js';
import type { Artifacts } from './registry/artifacts.js';

/** An IAM binding as Google writes it. */
export interface SeedBinding {
  role: string;
  members: string[];
}

export interface SeedServiceAccount {
  /** Account ID: the part before `@`. */
  id: string;
  displayName?: string;
  /** Keys to create when the account is new. Default 1 if `keyFile` is set, else 0. */
  keys?: number;
  /** Where to write the first new key (relative to the seed file). */
  keyFile?: string;
  /** Bindings on the service account itself (e.g. roles/iam.serviceAccountTokenCreator). */
  iam?: SeedBinding[];
}

export interface SeedRepository {
  id: string;
  location: string;
  description?: string;
  mode?: 'STANDARD_REPOSITORY' | 'REMOTE_REPOSITORY' | 'VIRTUAL_REPOSITORY';
  immutableTags?: boolean;
  /** Shorthand for `allUsers` as reader. */
  public?: boolean;
  /** REMOTE_REPOSITORY: the upstream registry. */
  remote?: { uri: string; username?: string; password?: string; description?: string };
  /** VIRTUAL_REPOSITORY: upstream repositories (an ID in the same project and location, or a full resource name). */
  upstreams?: Array<{ id?: string; repository: string; priority: number }>;
  /** Cleanup policies in the file form `gcloud artifacts repositories set-cleanup-policies` reads. */
  cleanupPolicies?: PolicyFileEntry[];
  cleanupPolicyDryRun?: boolean;
  iam?: SeedBinding[];
}

export interface SeedProject {
  id: string;
  iam?: SeedBinding[];
  serviceAccounts?: SeedServiceAccount[];
  repositories?: SeedRepository[];
  /** Workload identity federation: pools of OIDC providers whose tokens the STS stand-in exchanges. */
  workloadIdentityPools?: Array<{ id: string; providers: WorkloadIdentityProviderSpec[] }>;
}

export interface SeedUser {
  email: string;
  /** Where to write an `authorized_user` credentials file for this user (relative to the seed file). */
  credentialsFile?: string;
}

/** The seed file: what exists when the emulator starts. */
export interface Seed {
  projects?: SeedProject[];
  users?: Array<string | SeedUser>;
  /** The service account the metadata server hands out tokens for. */
  metadata?: { serviceAccount: string; projectId?: string; zone?: string };
}

/** What applying the seed created, for the caller to use. */
export interface SeedResult {
  /** New keys, by service-account email. */
  serviceAccountKeys: Record<string, ServiceAccountKeyFile[]>;
  /** New user credentials, by email. */
  userCredentials: Record<string, AuthorizedUserFile>;
  /** Absolute paths of the credential files the seed had written (`keyFile`, `credentialsFile`), by email. */
  files: Record<string, string>;
}

export async function loadSeed(path: string): Promise<{ seed: Seed; baseDir: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EmulatorError('AR_EMULATOR_SEED_INVALID', `Cannot read seed file ${path}.`, { cause: error });
  }
  try {
    return { seed: JSON.parse(text) as Seed, baseDir: dirname(resolve(path)) };
  } catch (error) {
    throw new EmulatorError('AR_EMULATOR_SEED_INVALID', `Seed file ${path} is not valid JSON.`, {
      cause: error,
    });
  }
}

function checkBindings(bindings: unknown, path: string, problems: string[]): void {
  if (bindings === undefined) return;
  if (!Array.isArray(bindings)) {
    problems.push(`${path}: must be an array of {role, members}`);
    return;
  }
  bindings.forEach((binding: Partial<SeedBinding>, index) => {
    if (typeof binding.role !== 'string' || ROLE_PERMISSIONS[binding.role] === undefined) {
      problems.push(
        `${path}[${index}].role: "${String(binding.role)}" is not a role the emulator knows (${Object.keys(ROLE_PERMISSIONS).join(', ')})`,
      );
    }
    if (!Array.isArray(binding.members)) problems.push(`${path}[${index}].members: must be an array`);
    else {
      for (const member of binding.members) {
        const problem = memberProblem(String(member));
        if (problem !== undefined) problems.push(`${path}[${index}].members: ${problem}`);
      }
    }
  });
}

/** Every problem of a seed at once, as `path: message`. */
export function seedProblems(seed: Seed): string[] {
  const problems: string[] = [];
  if (typeof seed !== 'object' || seed === null) return ['(root): the seed must be a JSON object'];
  (seed.projects ?? []).forEach((project, p) => {
    const at = `projects[${p}]`;
    const idProblem = typeof project.id === 'string' ? projectIdProblem(project.id) : 'id is required';
    if (idProblem !== undefined) problems.push(`${at}.id: ${idProblem}`);
    checkBindings(project.iam, `${at}.iam`, problems);
    (project.serviceAccounts ?? []).forEach((account, a) => {
      if (typeof account.id !== 'string' || !/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(account.id)) {
        problems.push(
          `${at}.serviceAccounts[${a}].id: "${String(account.id)}" is not a valid account ID (6-30 lowercase letters, digits, hyphens)`,
        );
      }
      checkBindings(account.iam, `${at}.serviceAccounts[${a}].iam`, problems);
    });
    (project.repositories ?? []).forEach((repo, r) => {
      const where = `${at}.repositories[${r}]`;
      const problem = typeof repo.id === 'string' ? repositoryIdProblem(repo.id) : 'id is required';
      if (problem !== undefined) problems.push(`${where}.id: ${problem}`);
      const locationError =
        typeof repo.location === 'string' ? locationProblem(repo.location) : 'location is required';
      if (locationError !== undefined) problems.push(`${where}.location: ${locationError}`);
      const mode = repo.mode ?? 'STANDARD_REPOSITORY';
      if (!['STANDARD_REPOSITORY', 'REMOTE_REPOSITORY', 'VIRTUAL_REPOSITORY'].includes(mode)) {
        problems.push(
          `${where}.mode: "${mode}" is not STANDARD_REPOSITORY, REMOTE_REPOSITORY or VIRTUAL_REPOSITORY`,
        );
      }
      if (mode === 'REMOTE_REPOSITORY' && typeof repo.remote?.uri !== 'string') {
        problems.push(`${where}.remote.uri: required for a remote repository`);
      }
      if (repo.cleanupPolicies !== undefined) {
        try {
          policiesFromFile(repo.cleanupPolicies);
        } catch (error) {
          problems.push(`${where}.cleanupPolicies: ${(error as Error).message}`);
        }
      }
      checkBindings(repo.iam, `${where}.iam`, problems);
    });
    (project.workloadIdentityPools ?? []).forEach((pool, w) => {
      const where = `${at}.workloadIdentityPools[${w}]`;
      if (typeof pool.id !== 'string' || !/^[a-z0-9-]{4,32}$/.test(pool.id)) {
        problems.push(
          `${where}.id: "${String(pool.id)}" is not a pool ID (4-32 lowercase letters, digits, hyphens)`,
        );
      }
      (pool.providers ?? []).forEach((provider, i) => {
        const at2 = `${where}.providers[${i}]`;
        if (typeof provider.id !== 'string' || !/^[a-z0-9-]{4,32}$/.test(provider.id)) {
          problems.push(
            `${at2}.id: "${String(provider.id)}" is not a provider ID (4-32 lowercase letters, digits, hyphens)`,
          );
        }
        if (typeof provider.issuerUri !== 'string' || !provider.issuerUri.startsWith('https://')) {
          problems.push(`${at2}.issuerUri: an https:// URL is required`);
        }
        if (!Array.isArray(provider.jwks?.keys) || provider.jwks.keys.length === 0) {
          problems.push(`${at2}.jwks.keys: the provider's public keys (JWK) are required`);
        }
      });
    });
  });
  (seed.users ?? []).forEach((user, u) => {
    const email = typeof user === 'string' ? user : user?.email;
    if (typeof email !== 'string' || !email.includes('@')) problems.push(`users[${u}]: an email is required`);
  });
  if (seed.metadata !== undefined && typeof seed.metadata.serviceAccount !== 'string') {
    problems.push('metadata.serviceAccount: an email is required');
  }
  return problems;
}

/**
 * Creates whatever the seed names that does not exist yet. Existing repositories, accounts and
 * bindings are left as they are, so a restart over the same data dir with the same seed is a no-op.
 */
export async function applySeed(
  seed: Seed,
  context: { artifacts: Artifacts; identity: Identity; federation: WorkloadIdentity; baseDir: string },
): Promise<SeedResult> {
  const problems = seedProblems(seed);
  if (problems.length > 0) {
    throw new EmulatorError(
      'AR_EMULATOR_SEED_INVALID',
      `The seed has ${problems.length} problem(s):\n${problems.join('\n')}`,
    );
  }
  const result: SeedResult = { serviceAccountKeys: {}, userCredentials: {}, files: {} };
  try {
    await createSeeded(seed, context, result);
    return result;
  } catch (error) {
    // A start that fails leaves no credential file behind for a key nothing will accept.
    await removeSeededFiles(result);
    throw error;
  }
}

/** Removes the credential files a seed had written (their keys die with a temporary data dir). */
export async function removeSeededFiles(result: SeedResult): Promise<void> {
  await Promise.all(Object.values(result.files).map((file) => rm(file, { force: true })));
}

type SeedContext = Parameters<typeof applySeed>[1];

async function createSeeded(seed: Seed, context: SeedContext, result: SeedResult): Promise<void> {
  const { artifacts, identity } = context;
  const store = artifacts.store;
  const place = async (email: string, file: string, content: unknown) => {
    const target = isAbsolute(file) ? file : resolve(context.baseDir, file);
    await writeCredentialFile(target, content);
    result.files[email] = target;
  };
  for (const project of seed.projects ?? []) {
    store.ensureProject(project.id);
    for (const pool of project.workloadIdentityPools ?? []) {
      const number = store.projectNumber(project.id)!;
      for (const provider of pool.providers) context.federation.addProvider(number, pool.id, provider);
    }
    for (const binding of project.iam ?? []) {
      for (const member of binding.members) store.addProjectBinding(project.id, binding.role, member);
    }
    for (const account of project.serviceAccounts ?? []) {
      const email = identity.createServiceAccount(project.id, account.id, account.displayName);
      // Keys are made once, for an account that has none: a restart must not pile up keys.
      const isNew = store.serviceAccountKeys(email).length === 0;
      const count = account.keys ?? (account.keyFile === undefined ? 0 : 1);
      if (isNew && count > 0) {
        const keys: ServiceAccountKeyFile[] = [];
        for (let i = 0; i < count; i++) keys.push(await identity.createServiceAccountKey(email));
        result.serviceAccountKeys[email] = keys;
        if (account.keyFile !== undefined) await place(email, account.keyFile, keys[0]);
      }
      for (const binding of account.iam ?? []) {
        for (const member of binding.members) store.addServiceAccountBinding(email, binding.role, member);
      }
    }
  }
  // Repositories after all accounts, and virtual ones last, so that upstreams and members exist.
  const repositories = (seed.projects ?? []).flatMap((project) =>
    (project.repositories ?? []).map((repo) => ({ project: project.id, repo })),
  );
  repositories.sort(
    (a, b) => Number(a.repo.mode === 'VIRTUAL_REPOSITORY') - Number(b.repo.mode === 'VIRTUAL_REPOSITORY'),
  );
  for (const { project, repo } of repositories) {
    let record = store.repository(project, repo.location, repo.id);
    if (record === undefined) {
      record = createRepository(
        artifacts,
        project,
        repo.location,
        repo.id,
        {
          format: 'DOCKER',
          mode: repo.mode ?? 'STANDARD_REPOSITORY',
          description: repo.description ?? '',
          dockerConfig: { immutableTags: repo.immutableTags ?? false },
          cleanupPolicies: policiesToRest(policiesFromFile(repo.cleanupPolicies ?? [])),
          cleanupPolicyDryRun: repo.cleanupPolicyDryRun ?? false,
          ...(repo.remote === undefined
            ? {}
            : {
                remoteRepositoryConfig: {
                  description: repo.remote.description,
                  dockerRepository: { customRepository: { uri: repo.remote.uri } },
                  upstreamCredentials: {
                    usernamePasswordCredentials: {
                      username: repo.remote.username,
                      password: repo.remote.password,
                    },
                  },
                },
              }),
          ...(repo.upstreams === undefined
            ? {}
            : {
                virtualRepositoryConfig: {
                  upstreamPolicies: repo.upstreams.map((upstream, index) => ({
                    id: upstream.id ?? `upstream-${index + 1}`,
                    repository: upstream.repository.startsWith('projects/')
                      ? upstream.repository
                      : `projects/${project}/locations/${repo.location}/repositories/${upstream.repository}`,
                    priority: upstream.priority,
                  })),
                },
              }),
        },
        identity.now(),
      );
    }
    if (repo.public === true)
      store.addRepositoryBinding(record.id, 'roles/artifactregistry.reader', 'allUsers');
    for (const binding of repo.iam ?? []) {
      for (const member of binding.members) store.addRepositoryBinding(record.id, binding.role, member);
    }
  }
  for (const entry of seed.users ?? []) {
    const user = typeof entry === 'string' ? { email: entry } : entry;
    identity.createUser(user.email);
    if (user.credentialsFile !== undefined) {
      const credentials = identity.createUserCredentials(user.email);
      result.userCredentials[user.email] = credentials;
      await place(user.email, user.credentialsFile, credentials);
    }
  }
}

/**
 * Writes a credential file whole (a temp file, then a hard link to the name) and never over
 * another: an existing file is another emulator's key (same seed, another data dir), or the
 * leftover of one that did not stop cleanly. Overwriting it would silently break the first.
 */
async function writeCredentialFile(target: string, content: unknown): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  try {
    await link(temporary, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new EmulatorError(
      'AR_EMULATOR_KEY_FILE_EXISTS',
      `${target} exists: another emulator started with this seed wrote it, or one that did not stop cleanly. ` +
        'Stop that emulator (it removes the files it wrote), or reuse its --data-dir, or remove the file.',
    );
  } finally {
    await rm(temporary, { force: true });
  }
}
