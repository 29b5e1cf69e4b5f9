import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorClientConfig, emulatorClientConfig } from '../connection.js';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator.js';
import { arHost } from '../names.js';
import type { Seed, SeedRepository } from '../seed.js';
import { makeImage, RegistryClient } from './registry-client.js';

/**
 * The emulator as the toolkit's client tests (core, CLI, API, credential helper, auth) and
 * benches use it: one project, service accounts with project roles, repositories in one
 * location, and the gar config that points a client at it.
 */

/** A closed port: the metadata source finds no server at once, so tests see only the credentials they give. */
export const NO_METADATA_SERVER = '127.0.0.1:9';

export interface TestProjectOptions {
  /** Default `test-project`. */
  project?: string;
  /** Location of the repositories, and the first one served. Default `us-west1`. */
  location?: string;
  /** More locations, each on its own port (repositories name them in `location`). */
  moreLocations?: string[];
  /**
   * Service accounts (account ID → project role, or `null` for none).
   * Default `{ 'test-admin': 'roles/artifactregistry.admin' }`.
   */
  accounts?: Record<string, string | null>;
  /** Repositories: an ID (standard, in `location`), or a seed repository whose location defaults likewise. */
  repositories?: Array<string | (Omit<SeedRepository, 'location'> & { location?: string })>;
}

type TestRepository = NonNullable<TestProjectOptions['repositories']>[number];

/**
 * The repositories of the push / copy / resolve tests (core, API): `dev`, `prod` (immutable
 * tags), two mirrors, and `all`, a virtual repository over them whose upstreams are listed out of
 * priority order (b 80 before a 100), so that ordering by priority shows.
 */
export function promotionRepositories(): TestRepository[] {
  return [
    'dev',
    { id: 'prod', immutableTags: true },
    'mirror-a',
    'mirror-b',
    {
      id: 'all',
      mode: 'VIRTUAL_REPOSITORY',
      upstreams: [
        { id: 'b', repository: 'mirror-b', priority: 80 },
        { id: 'a', repository: 'mirror-a', priority: 100 },
      ],
    },
  ];
}

/** The standard seed of client tests, from the options above. */
export function testSeed(options: TestProjectOptions = {}): Seed {
  const project = options.project ?? 'test-project';
  const location = options.location ?? 'us-west1';
  const accounts = Object.entries(options.accounts ?? { 'test-admin': 'roles/artifactregistry.admin' });
  return {
    projects: [
      {
        id: project,
        serviceAccounts: accounts.map(([id]) => ({ id })),
        iam: accounts.flatMap(([id, role]) =>
          role === null
            ? []
            : [{ role, members: [`serviceAccount:${id}@${project}.iam.gserviceaccount.com`] }],
        ),
        repositories: (options.repositories ?? []).map((repo) =>
          typeof repo === 'string'
            ? { id: repo, location }
            : { ...repo, location: repo.location ?? location },
        ),
      },
    ],
  };
}

export interface TestEmulator {
  readonly emulator: Emulator;
  readonly project: string;
  readonly location: string;
  /** `LOCATION-docker.pkg.dev` of the first location: the host tests put in image names. */
  readonly host: string;
  /** A scratch directory for the test (config home, image layouts), removed by `stop()`. */
  readonly work: string;
  /** `ACCOUNT@PROJECT.iam.gserviceaccount.com`. */
  email(account: string): string;
  /** A fresh access token of a seeded service account. */
  token(account: string): string;
  /**
   * A gar config (`ArUserConfig`-shaped) for this project, location and every served location's
   * host, authenticated as `account` with an access token (none: no credentials) and no
   * metadata server.
   */
  clientConfig(account?: string): EmulatorClientConfig;
  /**
   * For `@ar/config`'s `resolveConfig({ ...isolatedUser, overrides })`: a user whose home is
   * `work`, with no config file and no environment, so the config is the overrides alone.
   */
  readonly isolatedUser: { homeDir: string; cwd: string; configFile: false; env: { HOME: string } };
  /**
   * Pushes a new image (one random layer) as `account` to `PATH` (`PROJECT/REPOSITORY/IMAGE`),
   * tagged, or by its digest; resolves with its digest.
   */
  pushImage(account: string, path: string, tag?: string): Promise<string>;
  /**
   * Runs `write` with the emulator's clock (the `clock` option, or the real one) moved back by
   * `ms`: what it uploads looks that old (cleanup policies judge versions by upload time).
   */
  aged<T>(ms: number, write: () => Promise<T>): Promise<T>;
  /** Stops the emulator and removes `work`. */
  stop(): Promise<void>;
}

export async function startTestEmulator(
  options: TestProjectOptions & Omit<EmulatorOptions, 'seed' | 'locations'> = {},
): Promise<TestEmulator> {
  const { project = 'test-project', location = 'us-west1', moreLocations = [], ...rest } = options;
  const { accounts, repositories, clock = Date.now, ...emulatorOptions } = rest;
  let clockOffset = 0;
  const work = await mkdtemp(join(tmpdir(), 'ar-test-'));
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      ...emulatorOptions,
      clock: () => clock() + clockOffset,
      locations: [location, ...moreLocations],
      seed: testSeed(options),
    });
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
  const email = (account: string) => `${account}@${project}.iam.gserviceaccount.com`;
  const token = (account: string) => emulator.mintAccessToken(email(account)).accessToken;
  return {
    emulator,
    project,
    location,
    host: arHost(location),
    work,
    email,
    token,
    clientConfig(account) {
      const config = emulatorClientConfig(
        emulator,
        account === undefined ? undefined : { accessToken: token(account) },
      );
      return {
        project,
        location,
        ...config,
        endpoints: { ...config.endpoints, metadataHost: NO_METADATA_SERVER },
      };
    },
    isolatedUser: { homeDir: work, cwd: work, configFile: false, env: { HOME: work } },
    async pushImage(account, path, tag) {
      const image = makeImage();
      const registry = new RegistryClient(emulator.url(), {
        username: 'oauth2accesstoken',
        password: token(account),
      });
      const response = await registry.pushImage(path, image, tag ?? image.digest);
      if (response.status !== 201) throw new Error(`push of ${path} answered ${response.status}`);
      return image.digest;
    },
    async aged(ms, write) {
      clockOffset = -ms;
      try {
        return await write();
      } finally {
        clockOffset = 0;
      }
    },
    async stop() {
      try {
        await emulator.stop();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
