import { describe, expect, it } from 'vitest';
import { encodeRegistryAuth, engineServerAddress, registryAuthFor } from './registry-auth.js';

const decode = (header: string) =>
  JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));

describe('X-Registry-Auth', () => {
  it('is base64url JSON of the engine AuthConfig', () => {
    // Characters chosen so that standard base64 would hold "+" and "/".
    const header = encodeRegistryAuth(
      registryAuthFor('r.test', { username: 'oauth2accesstoken', password: '>>>???' }),
    );
    expect(header).not.toMatch(/[+/]/);
    expect(decode(header)).toEqual({
      username: 'oauth2accesstoken',
      password: '>>>???',
      serveraddress: 'r.test',
    });
  });

  it('sends an identity token as identitytoken, not as a password', () => {
    const header = encodeRegistryAuth(
      registryAuthFor('r.test', { username: '<token>', password: 'refresh' }),
    );
    expect(decode(header)).toEqual({ identitytoken: 'refresh', serveraddress: 'r.test' });
  });

  it('names Docker Hub by its index URL and every other registry by host', () => {
    expect(engineServerAddress('docker.io')).toBe('https://index.docker.io/v1/');
    expect(engineServerAddress('us-docker.pkg.dev')).toBe('us-docker.pkg.dev');
  });
});
