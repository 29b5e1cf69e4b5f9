// The read cache's interleavings, which no server can produce on cue: the upstream is a stand-in
// whose answers the test releases by hand (the service's tests cover the cache against the
// emulator, see apps/api/src/upstream-cache.test.ts).
import type { ManifestBlob } from '@ar/registry';
import { describe, expect, it } from 'vitest';
import { cachedReads, type UpstreamReads } from './upstream-reads.js';

const REPO = { registry: 'us-west1-docker.pkg.dev', repository: 'p/apps/app' };

/** An upstream whose manifest reads wait until the test releases them; it counts the reads. */
function heldUpstream() {
  const waiting: Array<(blob: ManifestBlob) => void> = [];
  let reads = 0;
  const upstream: UpstreamReads = {
    manifest: () => {
      reads++;
      return new Promise((resolve) => waiting.push(resolve));
    },
    headManifest: async () => undefined,
    listImages: async () => [],
    repository: async () => ({ name: 'projects/p/locations/us-west1/repositories/apps', format: 'DOCKER' }),
    forget: () => {},
  };
  const release = (digest: string) => {
    for (const resolve of waiting.splice(0))
      resolve({
        digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        bytes: Buffer.from(digest),
      });
  };
  return { upstream, release, reads: () => reads };
}

const options = { tagTtlMs: 60_000, metadataTtlMs: 60_000, manifestBytes: 1 << 20 };

describe('cachedReads', () => {
  it('gives waiters the answer of a lookup whose repository was forgotten meanwhile, and does not keep it', async () => {
    const { upstream, release, reads } = heldUpstream();
    const cache = cachedReads(upstream, options);
    const pending = [cache.manifest({ ...REPO, tag: '1' }), cache.manifest({ ...REPO, tag: '1' })];
    cache.forget(REPO);
    release('sha256:old');
    expect((await Promise.all(pending)).map((blob) => blob.digest)).toEqual(['sha256:old', 'sha256:old']);
    expect(reads()).toBe(1);
    // Not kept: the next read asks upstream.
    const next = cache.manifest({ ...REPO, tag: '1' });
    release('sha256:new');
    expect((await next).digest).toBe('sha256:new');
    expect(reads()).toBe(2);
  });

  it('lets a read with an abort signal bypass the cache', async () => {
    const { upstream, release, reads } = heldUpstream();
    const cache = cachedReads(upstream, options);
    const first = cache.manifest({ ...REPO, tag: '1' });
    release('sha256:a');
    await first;
    const own = cache.manifest({ ...REPO, tag: '1' }, { signal: new AbortController().signal });
    release('sha256:b');
    expect((await own).digest).toBe('sha256:b');
    expect(reads()).toBe(2);
    // The cached answer is untouched by the caller's own read.
    expect((await cache.manifest({ ...REPO, tag: '1' })).digest).toBe('sha256:a');
  });
});
