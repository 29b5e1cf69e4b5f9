import { describe, expect, it } from 'vitest';
import { authorize, roleOn } from './authz.js';
import { contactPolicy, hostMatcher, imageTarget, repositoryPathOf } from './targets.js';

describe('allowed hosts', () => {
  it('defaults to Artifact Registry Docker hosts, a * standing for part of one DNS label only', () => {
    const allowed = hostMatcher([]);
    expect(allowed('us-west1-docker.pkg.dev')).toBe(true);
    expect(allowed('europe-docker.pkg.dev')).toBe(true);
    expect(allowed('a.b-docker.pkg.dev')).toBe(false);
    expect(allowed('us-west1-docker.pkg.dev.evil.com')).toBe(false);
    expect(allowed('us-west1-docker.pkg.dev:5000')).toBe(false);
    expect(allowed('127.0.0.1:5000')).toBe(false);
  });

  it('matches configured hosts exactly, ports included, case-insensitively', () => {
    const allowed = hostMatcher(['127.0.0.1:5000', 'US-WEST1-docker.pkg.dev']);
    expect(allowed('127.0.0.1:5000')).toBe(true);
    expect(allowed('127.0.0.1:50001')).toBe(false);
    expect(allowed('us-west1-docker.pkg.dev')).toBe(true);
    expect(allowed('europe-docker.pkg.dev')).toBe(false);
  });
});

describe('what the client may contact besides a registry (redirects, token realms)', () => {
  it('allows allowed hosts, and the configured endpoints of allowed registries only', () => {
    const may = contactPolicy({
      api: { allowedHosts: ['*-docker.pkg.dev'] } as Parameters<typeof contactPolicy>[0]['api'],
      registries: {
        'us-west1-docker.pkg.dev': { endpoint: 'http://127.0.0.1:5000', insecure: true, google: true },
        'other.example': { endpoint: 'http://127.0.0.1:6000', insecure: true, google: false },
      },
    });
    expect(may(new URL('https://europe-docker.pkg.dev/v2/token'))).toBe(true);
    expect(may(new URL('http://127.0.0.1:5000/v2/token'))).toBe(true);
    expect(may(new URL('https://europe-docker.pkg.dev.evil.test/v2/token'))).toBe(false);
    expect(may(new URL('http://127.0.0.1:5001/v2/token'))).toBe(false);
    expect(may(new URL('http://127.0.0.1:6000/v2/token'))).toBe(false);
    expect(may(new URL('https://storage.googleapis.com/bucket/blob'))).toBe(false);
  });
});

describe('grants', () => {
  const caller = {
    name: 'ci',
    via: 'api-key' as const,
    grants: [
      { prefix: 'h/p/rel', role: 'read' as const },
      { prefix: 'h/p/rel/app', role: 'admin' as const },
    ],
  };

  it('match whole path segments and take the strongest covering role', () => {
    expect(roleOn(caller, 'h/p/rel/tool')).toBe('read');
    expect(roleOn(caller, 'h/p/rel/app')).toBe('admin');
    expect(roleOn(caller, 'h/p/releases/app')).toBeUndefined();
  });

  it('refuse a weaker role with a message naming the caller, the role and the path', () => {
    expect(() => authorize(caller, 'h/p/rel/tool', 'write')).toThrow(
      'Caller "ci" needs the write role on h/p/rel/tool (has read)',
    );
    expect(() => authorize(caller, 'h/p/rel/app/x', 'admin')).not.toThrow();
  });
});

describe('targets', () => {
  const allowed = hostMatcher(['*-docker.pkg.dev', '127.0.0.1:5000']);

  it('refuses every local location before parsing, as the registry client tells them', () => {
    for (const input of ['oci:/tmp/x', 'docker-archive:/x.tar', 'OCI-ARCHIVE:/x.tar', 'dir:/d', 'file:/x'])
      expect(() => imageTarget(input, allowed)).toThrow(
        expect.objectContaining({ code: 'AR_API_LOCATION_NOT_ALLOWED' }),
      );
  });

  it('gives each image a typed location: an AR name and another registry alike', () => {
    expect(imageTarget('us-west1-docker.pkg.dev/my-project/repo/team/app:1', allowed).location).toEqual({
      kind: 'registry',
      ref: { registry: 'us-west1-docker.pkg.dev', repository: 'my-project/repo/team/app', tag: '1' },
    });
    expect(imageTarget('127.0.0.1:5000/app', allowed).location).toEqual({
      kind: 'registry',
      ref: { registry: '127.0.0.1:5000', repository: 'app', tag: 'latest' },
    });
  });

  it('reads a REST repository name into the registry path grants name', () => {
    expect(repositoryPathOf('projects/example.com:my-project/locations/us/repositories/repo')).toBe(
      'us-docker.pkg.dev/example.com/my-project/repo',
    );
    expect(repositoryPathOf('projects/my-project/locations/us/repositories/gcr.io')).toBe(
      'gcr.io/my-project',
    );
    expect(repositoryPathOf('not/a/name')).toBeUndefined();
  });
});
