import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Access, repositoryResource } from './auth/access.js';
import { ROLE_PERMISSIONS } from './auth/iam.js';
import {
  type AuthorizedUserFile,
  Identity,
  type MintedToken,
  type ServiceAccountKeyFile,
  serviceAccountPrincipal,
  userPrincipal,
} from './auth/identity.js';
import {
  poolResource,
  WorkloadIdentity,
  type WorkloadIdentityProviderSpec,
} from './auth/workload-identity.js';
import { CleanupApi } from './cleanup/cleanup-api.js';
import { type CleanupRun, CleanupRunner } from './cleanup/cleanup-runner.js';
import { EmulatorError } from './errors.js';
import { ArtifactRegistryApi, createRepository } from './google/artifact-registry-api.js';
import { IamCredentialsApi } from './google/iam-credentials.js';
import { type MetadataIdentity, MetadataServer } from './google/metadata-server.js';
import { OAuthApi } from './google/oauth.js';
import { ServiceUsageApi } from './google/service-usage.js';
import { StsApi } from './google/sts.js';
import { type Exchange, sendJson } from './http/exchange.js';
import { createRateLimiter, type Listener, listen, type RequestLogLine } from './http/server.js';
import { arHost, locationProblem } from './names.js';
import { Artifacts } from './registry/artifacts.js';
import { RegistryApi } from './registry/registry-api.js';
import { UploadSessions } from './registry/upload-sessions.js';
import { applySeed, loadSeed, removeSeededFiles, type Seed, type SeedResult } from './seed.js';
import { BlobStore } from './store/blob-store.js';
import { MetadataStore, type RepositoryRecord } from './store/metadata.js';
import { type TlsMaterial, tlsMaterial } from './tls.js';

export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`: the emulator is for loopback. */
  host?: string;
  /** Port of the first location. Default 0 (a free port). */
  port?: number;
  /**
   * Locations served, each on its own port (the first on `port`), so that a plain
   * `127.0.0.1:PORT/...` image name picks its location. Default `['us-central1']`.
   * Any port also serves any location named by an AR `Host` (`europe-west1-docker.pkg.dev`).
   */
  locations?: string[];
  /** Data directory. Default: a new temp dir, removed by `stop()`. */
  dataDir?: string;
  /** A seed object or the path of a seed JSON file. */
  seed?: Seed | string;
  /** Lifetime of the access tokens the emulator mints. Default 3600. */
  tokenTtlSeconds?: number;
  /** Per-caller request limit on the registry API; over it, 429 with Retry-After. */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  /** Serve HTTPS with a CA generated into the data dir (`ca.pem`). */
  tls?: boolean;
  /** Where request log lines go. Default: nowhere. */
  log?: ((line: RequestLogLine) => void) | NodeJS.WritableStream;
  /** The service account the metadata server stands for (overrides the seed's). */
  metadata?: MetadataIdentity;
  /**
   * A blob upload nobody uses for this long is ended and its data removed. Default 3600; any
   * positive value (fractions too, so that tests need not wait).
   */
  uploadIdleTimeoutSeconds?: number;
  /**
   * How often repositories' cleanup policies run, as AR runs them on its own schedule. Default
   * 86400 (daily); 0 never (run them on demand: `runCleanupPolicies()` or the emulator-only endpoint).
   */
  cleanupIntervalSeconds?: number;
  /** The emulator's clock (upload times, token expiry, cleanup ages), ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

export interface Emulator {
  /** Base URL (`http://127.0.0.1:PORT`) of a location's port; default the first location. */
  url(location?: string): string;
  /** `127.0.0.1:PORT`: the registry host to put in image names for a location. */
  host(location?: string): string;
  readonly locations: readonly string[];
  readonly dataDir: string;
  /** OAuth token endpoint (the `token_uri` of keys it creates). */
  readonly tokenUrl: string;
  /** Security Token Service endpoint: the `token_url` of workload identity federation. */
  readonly stsUrl: string;
  /** `127.0.0.1:PORT`, for `GCE_METADATA_HOST`. */
  readonly metadataHost: string;
  /** PEM path of the CA clients must trust, with `tls: true`. */
  readonly caCertPath: string | undefined;
  /** What the seed created (new keys, user credentials). */
  readonly seeded: SeedResult;
  createServiceAccount(project: string, accountId: string, displayName?: string): string;
  createServiceAccountKey(email: string): Promise<ServiceAccountKeyFile>;
  createUserCredentials(email: string): AuthorizedUserFile;
  /** A token for a principal: `serviceAccount:EMAIL`, `user:EMAIL`, or a bare email. */
  mintAccessToken(principal: string, options?: { ttlSeconds?: number }): MintedToken;
  /** Creates a repository from a REST `Repository` body (default: standard Docker). */
  createRepository(project: string, location: string, id: string, body?: Record<string, unknown>): string;
  /** Adds a binding on `projects/P`, a repository resource, or a service account email. */
  grant(resource: string, role: string, member: string): void;
  /**
   * Adds an OIDC provider to a workload identity pool; returns its audience,
   * `//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/ID`.
   */
  addWorkloadIdentityProvider(project: string, pool: string, provider: WorkloadIdentityProviderSpec): string;
  /**
   * A pool's resource name, for policy members: `principal:` + it + `/subject/SUB`, or
   * `principalSet:` + it + `/*`.
   */
  workloadIdentityPool(project: string, pool: string): string;
  /** Runs every repository's cleanup policies now (what the schedule does); dry-run repositories only record. */
  runCleanupPolicies(): CleanupRun[];
  setTokenTtlSeconds(seconds: number): void;
  setMetadataIdentity(identity: MetadataIdentity | undefined): void;
  stop(): Promise<void>;
}

function optionsProblem(options: EmulatorOptions): string | undefined {
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    return `port ${options.port} is not a port number (0-65535)`;
  }
  if (options.tokenTtlSeconds !== undefined && !(options.tokenTtlSeconds >= 1)) {
    return `tokenTtlSeconds ${options.tokenTtlSeconds} must be at least 1`;
  }
  for (const location of options.locations ?? []) {
    const problem = locationProblem(location);
    if (problem !== undefined) return `locations: ${problem}`;
  }
  if (options.locations !== undefined && options.locations.length === 0)
    return 'locations must name at least one location';
  if (options.uploadIdleTimeoutSeconds !== undefined && !(options.uploadIdleTimeoutSeconds > 0)) {
    return `uploadIdleTimeoutSeconds ${options.uploadIdleTimeoutSeconds} must be positive`;
  }
  if (options.cleanupIntervalSeconds !== undefined && !(options.cleanupIntervalSeconds >= 0)) {
    return `cleanupIntervalSeconds ${options.cleanupIntervalSeconds} must be 0 (never) or positive`;
  }
  if (options.rateLimit !== undefined && !(options.rateLimit.requestsPerSecond > 0)) {
    return 'rateLimit.requestsPerSecond must be positive';
  }
  return undefined;
}

/** Data dirs held by emulators of this process (the pid file cannot tell them apart). */
const heldHere = new Set<string>();

/** Refuses a data dir another live emulator holds: two writers would delete each other's uploads. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, 'emulator.pid');
  if (heldHere.has(dataDir)) {
    throw new EmulatorError(
      'AR_EMULATOR_START_FAILED',
      `Data dir ${dataDir} is in use by another emulator in this process. Stop it, or use another data dir.`,
    );
  }
  try {
    const pid = Number((await readFile(lockPath, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) {
        throw new EmulatorError(
          'AR_EMULATOR_START_FAILED',
          `Data dir ${dataDir} is in use by another emulator (pid ${pid}). Stop it, or use another --data-dir.`,
        );
      }
    }
  } catch (error) {
    if (error instanceof EmulatorError) throw error;
  }
  await writeFile(lockPath, `${process.pid}\n`);
  heldHere.add(dataDir);
  return async () => {
    heldHere.delete(dataDir);
    await rm(lockPath, { force: true });
  };
}

function principalOf(principal: string): string {
  if (principal.includes(':') || principal === 'allUsers') return principal;
  return principal.endsWith('.gserviceaccount.com')
    ? serviceAccountPrincipal(principal)
    : userPrincipal(principal);
}

/** Starts the emulator: every API on loopback, state in the data dir. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const problem = optionsProblem(options);
  if (problem !== undefined)
    throw new EmulatorError('AR_EMULATOR_OPTIONS_INVALID', `Invalid emulator options: ${problem}.`);
  const host = options.host ?? '127.0.0.1';
  const locations = options.locations ?? ['us-central1'];
  const temporary = options.dataDir === undefined;
  const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'gar-emulator-')) : resolve(options.dataDir!);
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  const cleanups: Array<() => Promise<void> | void> = [unlock];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const blobs = new BlobStore(dataDir);
    await blobs.init();
    const store = new MetadataStore(join(dataDir, 'metadata.sqlite'));
    cleanups.push(() => store.close());
    let tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    let tokenUrl = '';
    const identity = new Identity(store, {
      tokenTtlSeconds: () => tokenTtlSeconds,
      tokenUri: () => tokenUrl,
      ...(options.clock === undefined ? {} : { now: options.clock }),
    });
    const artifacts = new Artifacts(store, blobs, () => identity.now());
    const access = new Access(store, identity);
    const federation = new WorkloadIdentity();
    let metadataIdentity: MetadataIdentity | undefined = options.metadata;

    let seeded: SeedResult = { serviceAccountKeys: {}, userCredentials: {}, files: {} };
    const tls: TlsMaterial | undefined = options.tls === true ? await tlsMaterial(dataDir, host) : undefined;
    const uploadIdleMs = (options.uploadIdleTimeoutSeconds ?? 3600) * 1000;
    const uploads = new UploadSessions(blobs, uploadIdleMs, () => identity.now());
    // Swept at a tenth of the timeout (at most every minute): a session ends within 1.1× of it.
    const sweeper = setInterval(
      () => void uploads.expireIdle(),
      Math.min(60_000, Math.max(10, uploadIdleMs / 10)),
    );
    sweeper.unref();
    cleanups.push(() => clearInterval(sweeper));
    const registry = new RegistryApi(
      artifacts,
      access,
      identity,
      createRateLimiter(options.rateLimit),
      uploads,
    );
    const oauth = new OAuthApi(identity);
    const sts = new StsApi(identity, federation);
    const metadata = new MetadataServer(identity, store, () => metadataIdentity);
    const iamCredentials = new IamCredentialsApi(access, identity, store);
    const rest = new ArtifactRegistryApi(artifacts, access, identity);
    const serviceUsage = new ServiceUsageApi(access, store);
    const cleanupRunner = new CleanupRunner(artifacts, () => identity.now());
    const cleanupApi = new CleanupApi(artifacts, access, cleanupRunner);
    const cleanupIntervalMs = (options.cleanupIntervalSeconds ?? 86_400) * 1000;
    if (cleanupIntervalMs > 0) {
      const schedule = setInterval(() => cleanupRunner.runAll(), Math.min(cleanupIntervalMs, 2 ** 31 - 1));
      schedule.unref();
      cleanups.push(() => clearInterval(schedule));
    }
    const route = async (exchange: Exchange) => {
      const path = exchange.url.pathname;
      if (path === '/v2' || path.startsWith('/v2/')) return registry.handle(exchange);
      if (
        path === '/token' ||
        path === '/oauth2/v4/token' ||
        path === '/tokeninfo' ||
        path === '/oauth2/v3/tokeninfo'
      ) {
        return oauth.handle(exchange);
      }
      if (path.startsWith('/computeMetadata/')) return metadata.handle(exchange);
      if (IamCredentialsApi.matches(path)) return iamCredentials.handle(exchange);
      if (path === '/v1/token') return sts.handle(exchange);
      if (ServiceUsageApi.matches(path)) return serviceUsage.handle(exchange);
      if (ArtifactRegistryApi.matches(path)) return rest.handle(exchange);
      if (CleanupApi.matches(path)) return cleanupApi.handle(exchange);
      if (path === '/healthz') return sendJson(exchange, 200, { status: 'ok' });
      exchange.req.resume();
      sendJson(exchange, 404, { error: { code: 404, message: `Nothing at ${path}.`, status: 'NOT_FOUND' } });
    };
    const sink = options.log;
    const log =
      sink === undefined
        ? undefined
        : typeof sink === 'function'
          ? sink
          : (line: RequestLogLine) => {
              sink.write(`${JSON.stringify(line)}\n`);
            };
    const listeners: Listener[] = [];
    cleanups.push(async () => {
      await Promise.all(listeners.map((listener) => listener.close()));
    });
    for (const [index, location] of locations.entries()) {
      listeners.push(
        await listen({
          host,
          port: index === 0 ? (options.port ?? 0) : 0,
          defaultLocation: location,
          route,
          log,
          tls: tls === undefined ? undefined : { key: tls.key, cert: tls.cert },
        }),
      );
    }
    const scheme = tls === undefined ? 'http' : 'https';
    const hostFor = (location?: string) => {
      const listener =
        location === undefined
          ? listeners[0]!
          : listeners.find((candidate) => candidate.location === location);
      if (listener === undefined) {
        throw new EmulatorError(
          'AR_EMULATOR_OPTIONS_INVALID',
          `Location ${location} has no port of its own: add it to the locations option (served: ${locations.join(', ')}), or send Host: ${arHost(location ?? '')}.`,
        );
      }
      const name = host.includes(':') ? `[${host}]` : host;
      return `${name}:${listener.port}`;
    };
    tokenUrl = `${scheme}://${hostFor()}/token`;

    if (options.seed !== undefined) {
      const { seed, baseDir } =
        typeof options.seed === 'string'
          ? await loadSeed(options.seed)
          : { seed: options.seed, baseDir: process.cwd() };
      seeded = await applySeed(seed, { artifacts, identity, federation, baseDir });
      // Keys in a temporary data dir die with it: so do the files that hold them, so that the
      // next emulator started with this seed may write them again.
      if (temporary) cleanups.push(() => removeSeededFiles(seeded));
      if (metadataIdentity === undefined && seed.metadata !== undefined) metadataIdentity = seed.metadata;
    }
    // Expired tokens are dead weight; pruned at start (a long-running emulator also mints few).
    store.pruneAccessTokens(identity.now());

    let stopped: Promise<void> | undefined;
    return {
      url: (location) => `${scheme}://${hostFor(location)}`,
      host: hostFor,
      locations,
      dataDir,
      tokenUrl,
      stsUrl: `${scheme}://${hostFor()}/v1/token`,
      metadataHost: hostFor(),
      caCertPath: tls?.caPath,
      seeded,
      createServiceAccount: (project, accountId, displayName) =>
        identity.createServiceAccount(project, accountId, displayName),
      createServiceAccountKey: (email) => identity.createServiceAccountKey(email),
      createUserCredentials: (email) => identity.createUserCredentials(email),
      mintAccessToken(principal, mintOptions = {}) {
        const resolved = principalOf(principal);
        if (
          resolved.startsWith('serviceAccount:') &&
          store.serviceAccount(resolved.slice(15)) === undefined
        ) {
          throw new EmulatorError(
            'AR_EMULATOR_PRINCIPAL_UNKNOWN',
            `Service account ${resolved.slice(15)} does not exist in the emulator.`,
          );
        }
        if (resolved.startsWith('user:')) identity.createUser(resolved.slice(5));
        return identity.mintAccessToken(resolved, mintOptions);
      },
      createRepository: (project, location, id, body = {}) =>
        repositoryResource(createRepository(artifacts, project, location, id, body, identity.now())),
      grant(resource, role, member) {
        if (ROLE_PERMISSIONS[role] === undefined) {
          throw new EmulatorError(
            'AR_EMULATOR_INVALID_ARGUMENT',
            `Role ${role} is not one the emulator knows.`,
          );
        }
        const target = principalOf(member);
        const project = /^projects\/([^/]+)$/.exec(resource);
        if (project !== null) return store.addProjectBinding(project[1]!, role, target);
        const repo: RepositoryRecord | undefined = artifacts.repositoryByResource(resource);
        if (repo !== undefined) return store.addRepositoryBinding(repo.id, role, target);
        if (store.serviceAccount(resource) !== undefined)
          return store.addServiceAccountBinding(resource, role, target);
        throw new EmulatorError(
          'AR_EMULATOR_NOT_FOUND',
          `No project, repository or service account "${resource}".`,
        );
      },
      addWorkloadIdentityProvider(project, pool, provider) {
        store.ensureProject(project);
        return federation.addProvider(store.projectNumber(project)!, pool, provider);
      },
      workloadIdentityPool(project, pool) {
        const number = store.projectNumber(project);
        if (number === undefined)
          throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `No project "${project}".`);
        return poolResource(number, pool);
      },
      runCleanupPolicies: () => cleanupRunner.runAll(),
      setTokenTtlSeconds(seconds) {
        if (!(seconds >= 1))
          throw new EmulatorError('AR_EMULATOR_OPTIONS_INVALID', 'Token lifetime must be at least 1 s.');
        tokenTtlSeconds = seconds;
      },
      setMetadataIdentity(next) {
        metadataIdentity = next;
      },
      stop() {
        stopped ??= cleanup();
        return stopped;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
