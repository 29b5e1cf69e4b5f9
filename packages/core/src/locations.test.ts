import { parseArImage } from '@ar/image-ref';
import { describe, expect, it } from 'vitest';
import { arImageRef, userLocation } from './locations.js';

describe('locations', () => {
  it('types an Artifact Registry image for the registry client as Docker resolves its name', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(arImageRef(parseArImage('us-west1-docker.pkg.dev/my-project/repo/team/app'))).toEqual({
      registry: 'us-west1-docker.pkg.dev',
      repository: 'my-project/repo/team/app',
      tag: 'latest',
    });
    expect(
      arImageRef(parseArImage(`europe-docker.pkg.dev/example.com/my-project/repo/app:1@${digest}`)),
    ).toEqual({
      registry: 'europe-docker.pkg.dev',
      repository: 'example.com/my-project/repo/app',
      digest,
    });
    // Container Registry hosts have no repository in the path.
    expect(arImageRef(parseArImage('gcr.io/my-project/app:2'))).toEqual({
      registry: 'gcr.io',
      repository: 'my-project/app',
      tag: '2',
    });
  });

  it('reads local locations as the registry client does, and anything else as an image in any registry', () => {
    const defaults = { location: 'us', project: 'my-project', repository: 'repo' };
    expect(userLocation('oci:/tmp/layout:v1', defaults)).toEqual({
      kind: 'oci-layout',
      path: '/tmp/layout',
      tag: 'v1',
    });
    expect(userLocation('docker-archive:/tmp/x.tar', defaults)).toEqual({
      kind: 'docker-archive',
      path: '/tmp/x.tar',
    });
    expect(userLocation('app:1', defaults)).toEqual({
      kind: 'registry',
      ref: { registry: 'us-docker.pkg.dev', repository: 'my-project/repo/app', tag: '1' },
    });
    expect(userLocation('docker://127.0.0.1:5000/team/app:1', defaults)).toEqual({
      kind: 'registry',
      ref: { registry: '127.0.0.1:5000', repository: 'team/app', tag: '1' },
    });
    expect(userLocation('alpine', {})).toEqual({
      kind: 'registry',
      ref: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' },
    });
    expect(() => userLocation('oci-archive:/tmp/x.tar', defaults)).toThrow(
      expect.objectContaining({ code: 'AR_REGISTRY_INVALID_ARGUMENT' }),
    );
  });
});
