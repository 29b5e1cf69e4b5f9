import { describe, expect, it } from 'vitest';
import { registryBaseUrl } from './endpoints.js';
import { isLocalLocation, parseImageLocation } from './location.js';
import { parseImageRef } from './reference.js';

describe('image locations', () => {
  it('parses skopeo-style transports', () => {
    expect(parseImageLocation('oci:/tmp/layout:v1')).toEqual({
      kind: 'oci-layout',
      path: '/tmp/layout',
      tag: 'v1',
    });
    expect(parseImageLocation('oci:/tmp/layout')).toEqual({ kind: 'oci-layout', path: '/tmp/layout' });
    expect(parseImageLocation(`oci:./l@sha256:${'a'.repeat(64)}`)).toEqual({
      kind: 'oci-layout',
      path: './l',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(parseImageLocation('docker-archive:/tmp/x.tar:app:1')).toEqual({
      kind: 'docker-archive',
      path: '/tmp/x.tar',
      name: 'app:1',
    });
    expect(parseImageLocation('docker://ubuntu')).toEqual({ kind: 'registry', ref: 'ubuntu' });
    expect(parseImageLocation('us-docker.pkg.dev/p/r/i:1')).toEqual({
      kind: 'registry',
      ref: 'us-docker.pkg.dev/p/r/i:1',
    });
  });

  it('tells local locations from image names, and refuses the local transports it cannot read', () => {
    for (const local of [
      'oci:./l',
      'docker-archive:/x.tar',
      'OCI-ARCHIVE:/x.tar',
      'dir:/d',
      'docker-daemon:app:1',
      'file:/x',
    ])
      expect(isLocalLocation(local), local).toBe(true);
    for (const image of [
      'us-docker.pkg.dev/p/r/i:1',
      'localhost:5000/oci:1',
      'docker://ubuntu',
      'ocifoo/app',
    ])
      expect(isLocalLocation(image), image).toBe(false);
    expect(() => parseImageLocation('oci-archive:/x.tar')).toThrow(
      expect.objectContaining({
        code: 'AR_REGISTRY_INVALID_ARGUMENT',
        message: expect.stringContaining('oci-archive:'),
      }),
    );
  });

  it('parses references as docker does and picks the endpoint', () => {
    expect(parseImageRef('ubuntu')).toEqual({
      registry: 'docker.io',
      repository: 'library/ubuntu',
      tag: 'latest',
    });
    expect(parseImageRef(`127.0.0.1:5000/a/b@sha256:${'b'.repeat(64)}`)).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'a/b',
      digest: `sha256:${'b'.repeat(64)}`,
    });
    expect(() => parseImageRef('app/Upper:1')).toThrow();
    expect(registryBaseUrl('127.0.0.1:5000', undefined).href).toBe('http://127.0.0.1:5000/');
    expect(registryBaseUrl('us-docker.pkg.dev', undefined).href).toBe('https://us-docker.pkg.dev/');
    expect(registryBaseUrl('docker.io', undefined).href).toBe('https://registry-1.docker.io/');
    expect(registryBaseUrl('registry.lan:5000', { insecure: true }).href).toBe('http://registry.lan:5000/');
    expect(registryBaseUrl('registry.lan', { endpoint: 'https://registry.lan', insecure: true }).href).toBe(
      'https://registry.lan/',
    );
    expect(registryBaseUrl('emu:1', { endpoint: 'http://127.0.0.1:9/base' }).href).toBe(
      'http://127.0.0.1:9/base/',
    );
  });
});
