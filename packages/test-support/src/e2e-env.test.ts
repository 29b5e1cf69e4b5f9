import { describe, expect, it } from 'vitest';
import { E2E_ENV_VARIABLES, e2eEnv } from './e2e-env.js';

const complete = {
  AR_E2E_DIR: '/tmp/are2e.abc',
  AR_E2E_DOCKER_HOST: 'unix:///tmp/are2e.abc/docker.sock',
  AR_E2E_REGISTRY: '127.0.0.1:5000',
  AR_E2E_TOKEN_SERVER: 'http://127.0.0.1:5001',
  AR_E2E_TOKEN_ADMIN: 'http://127.0.0.1:5002',
  AR_E2E_TOKEN_SERVICE: 'ar-e2e-registry',
  AR_E2E_TOKEN_ISSUER: 'ar-e2e-token-server',
  AR_E2E_TOKEN_CERT: '/tmp/are2e.abc/token-cert.pem',
  AR_E2E_TOKEN_KEY: '/tmp/are2e.abc/token-key.pem',
  AR_E2E_POSTGRES_URL: 'postgres://postgres@127.0.0.1:5003/postgres',
};

describe('e2eEnv', () => {
  it('reads every AR_E2E_* variable', () => {
    expect(e2eEnv(complete)).toEqual({
      dir: '/tmp/are2e.abc',
      dockerHost: 'unix:///tmp/are2e.abc/docker.sock',
      registry: '127.0.0.1:5000',
      tokenServer: 'http://127.0.0.1:5001',
      tokenAdmin: 'http://127.0.0.1:5002',
      tokenService: 'ar-e2e-registry',
      tokenIssuer: 'ar-e2e-token-server',
      tokenCert: '/tmp/are2e.abc/token-cert.pem',
      tokenKey: '/tmp/are2e.abc/token-key.pem',
      postgresUrl: 'postgres://postgres@127.0.0.1:5003/postgres',
      podmanHost: undefined,
    });
    expect(e2eEnv({ ...complete, AR_E2E_PODMAN_HOST: 'unix:///p.sock' }).podmanHost).toBe('unix:///p.sock');
  });

  it.each(Object.values(E2E_ENV_VARIABLES))(
    'throws naming %s and how to run e2e tests when it is missing',
    (name) => {
      const env: Record<string, string> = { ...complete };
      delete env[name];
      expect(() => e2eEnv(env)).toThrow(name);
      expect(() => e2eEnv({ ...complete, [name]: '' })).toThrow(name);
      expect(() => e2eEnv(env)).toThrow('run through `npm run test:e2e` (scripts/e2e-env.sh)');
    },
  );
});
