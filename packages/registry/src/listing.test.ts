import { describe, expect, it } from 'vitest';
import { mergeTagPages, nextLink, parseTagPage } from './listing.js';

describe('tag listing', () => {
  it("parses Artifact Registry's manifest map into typed summaries", () => {
    const page = parseTagPage({
      name: 'p/r/app',
      tags: ['v1'],
      child: ['sub'],
      manifest: {
        'sha256:abc': {
          imageSizeBytes: '12345',
          layerId: '',
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          tag: ['v1', 'latest'],
          timeCreatedMs: '1700000000000',
          timeUploadedMs: '1700000001000',
        },
        'sha256:def': { imageSizeBytes: '1', tag: [], timeCreatedMs: '0' },
      },
    });
    expect(page.children).toEqual(['sub']);
    expect(page.images?.[0]).toEqual({
      digest: 'sha256:abc',
      tags: ['v1', 'latest'],
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      sizeBytes: 12345,
      created: new Date(1700000000000),
      uploaded: new Date(1700000001000),
    });
    // An untagged image with no creation time has no date, not the epoch.
    expect(page.images?.[1]).toEqual({ digest: 'sha256:def', tags: [], sizeBytes: 1 });
  });

  it('falls back to plain OCI when there is no manifest map, and merges pages', () => {
    const a = parseTagPage({ name: 'x', tags: ['1', '2'] });
    const b = parseTagPage({ name: 'x', tags: ['3'] });
    expect(a.images).toBeUndefined();
    expect(mergeTagPages([a, b])).toEqual({ name: 'x', tags: ['1', '2', '3'], children: [] });
    expect(parseTagPage({ name: 'x', tags: null }).tags).toEqual([]);
  });

  it('follows RFC 8288 Link headers, relative or absolute', () => {
    const base = new URL('http://r.example/v2/app/tags/list?n=2');
    expect(nextLink('</v2/app/tags/list?n=2&last=b>; rel="next"', base)?.href).toBe(
      'http://r.example/v2/app/tags/list?n=2&last=b',
    );
    expect(nextLink('<http://o/x>; rel="prev", <http://o/y>; rel=next', base)?.href).toBe('http://o/y');
    expect(nextLink(undefined, base)).toBeUndefined();
  });
});
