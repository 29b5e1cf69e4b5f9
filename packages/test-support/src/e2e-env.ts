/**
 * The real-server environment that scripts/e2e-env.sh starts, as tests see it. An e2e test
 * calls `e2eEnv()` first: without the environment it fails loudly, it never skips.
 */

/** The variables scripts/e2e-env.sh exports, by field of `E2eEnv`. */
export const E2E_ENV_VARIABLES = {
  dir: 'AR_E2E_DIR',
  dockerHost: 'AR_E2E_DOCKER_HOST',
  registry: 'AR_E2E_REGISTRY',
  tokenServer: 'AR_E2E_TOKEN_SERVER',
  tokenAdmin: 'AR_E2E_TOKEN_ADMIN',
  tokenService: 'AR_E2E_TOKEN_SERVICE',
  tokenIssuer: 'AR_E2E_TOKEN_ISSUER',
  tokenCert: 'AR_E2E_TOKEN_CERT',
  tokenKey: 'AR_E2E_TOKEN_KEY',
  postgresUrl: 'AR_E2E_POSTGRES_URL',
} as const;

/** Set only when the environment was started with a Podman service (not yet: see the README). */
export const E2E_PODMAN_HOST_VARIABLE = 'AR_E2E_PODMAN_HOST';

export interface E2eEnv {
  /** AR_E2E_DIR: the environment's temp dir (logs, configs; removed when it stops). */
  dir: string;
  /** AR_E2E_DOCKER_HOST: `unix:///…/docker.sock` of the private dockerd. */
  dockerHost: string;
  /** AR_E2E_REGISTRY: `127.0.0.1:PORT` of the token-auth docker-registry (plain HTTP). */
  registry: string;
  /** AR_E2E_TOKEN_SERVER: `http://127.0.0.1:PORT` of the token server; the realm is `${tokenServer}/token`. */
  tokenServer: string;
  /** AR_E2E_TOKEN_ADMIN: `http://127.0.0.1:PORT` of the token server's admin API. */
  tokenAdmin: string;
  /** AR_E2E_TOKEN_SERVICE: the registry's token `service` (the tokens' `aud`). */
  tokenService: string;
  /** AR_E2E_TOKEN_ISSUER: the tokens' `iss`. */
  tokenIssuer: string;
  /** AR_E2E_TOKEN_CERT: path of the signing certificate (PEM) the registry trusts. */
  tokenCert: string;
  /** AR_E2E_TOKEN_KEY: path of the signing key (PEM), to mint tokens directly. */
  tokenKey: string;
  /** AR_E2E_POSTGRES_URL: `postgres://postgres@127.0.0.1:PORT/postgres`, a superuser of a private cluster (tests create their own databases). */
  postgresUrl: string;
  /** AR_E2E_PODMAN_HOST, when a Podman service runs; otherwise undefined. */
  podmanHost: string | undefined;
}

export class E2eEnvError extends Error {
  override name = 'E2eEnvError';
}

/**
 * Reads the AR_E2E_* variables. Throws naming the first missing one and how to get them: run
 * e2e tests through `npm run test:e2e` (scripts/e2e-env.sh).
 */
export function e2eEnv(env: NodeJS.ProcessEnv = process.env): E2eEnv {
  const read = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new E2eEnvError(
        `${name} is not set: e2e tests need the real-server environment, so run through ` +
          '`npm run test:e2e` (scripts/e2e-env.sh), or `bash scripts/e2e-env.sh run -- <command>`, ' +
          'or `source` the env file that `bash scripts/e2e-env.sh up` prints.',
      );
    }
    return value;
  };
  const podmanHost = env[E2E_PODMAN_HOST_VARIABLE];
  return {
    dir: read(E2E_ENV_VARIABLES.dir),
    dockerHost: read(E2E_ENV_VARIABLES.dockerHost),
    registry: read(E2E_ENV_VARIABLES.registry),
    tokenServer: read(E2E_ENV_VARIABLES.tokenServer),
    tokenAdmin: read(E2E_ENV_VARIABLES.tokenAdmin),
    tokenService: read(E2E_ENV_VARIABLES.tokenService),
    tokenIssuer: read(E2E_ENV_VARIABLES.tokenIssuer),
    tokenCert: read(E2E_ENV_VARIABLES.tokenCert),
    tokenKey: read(E2E_ENV_VARIABLES.tokenKey),
    postgresUrl: read(E2E_ENV_VARIABLES.postgresUrl),
    podmanHost: podmanHost === undefined || podmanHost === '' ? undefined : podmanHost,
  };
}
