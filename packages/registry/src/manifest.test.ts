import { isArError } from '@ar/errors';
import { describe, expect, it } from 'vitest';
import {
  type ImageIndex,
  MAX_MANIFEST_BYTES,
  manifestBlob,
  parseManifest,
  parsePlatform,
  selectPlatform,
} from './manifest.js';
import { MediaType } from './media-types.js';

const d = (n: string, extra = {}) => ({
  mediaType: MediaType.ociManifest,
  digest: `sha256:${n.repeat(64)}`,
  size: 10,
  ...extra,
});

describe('manifests', () => {
  it('detects the media type of an OCI manifest that omits it, and parses an index', () => {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, config: d('a'), layers: [d('b')] }));
    expect(manifestBlob(bytes).mediaType).toBe(MediaType.ociManifest);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [d('c')] }));
    expect(parseManifest(manifestBlob(index)).kind).toBe('index');
  });

  it('rejects schema 1, unknown media types, broken descriptors and oversized manifests', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isArError(error) ? error.code : 'other';
      }
      return 'none';
    };
    expect(
      code(() =>
        parseManifest({ bytes: Buffer.from('{"schemaVersion":1}'), mediaType: MediaType.ociManifest }),
      ),
    ).toBe('AR_REGISTRY_MANIFEST_INVALID');
    expect(
      code(() => parseManifest({ bytes: Buffer.from('{"schemaVersion":2}'), mediaType: 'text/plain' })),
    ).toBe('AR_REGISTRY_UNSUPPORTED_MEDIA_TYPE');
    const broken = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'x' }, layers: [] }));
    expect(code(() => parseManifest({ bytes: broken, mediaType: MediaType.ociManifest }))).toBe(
      'AR_REGISTRY_MANIFEST_INVALID',
    );
    const huge = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);
    expect(code(() => parseManifest({ bytes: huge, mediaType: MediaType.ociManifest }))).toBe(
      'AR_REGISTRY_MANIFEST_TOO_LARGE',
    );
  });

  it('selects a platform, normalising arm64 to v8 and never picking attestations', () => {
    const index: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        d('1', { platform: { os: 'unknown', architecture: 'unknown' } }),
        d('2', { platform: { os: 'linux', architecture: 'amd64' } }),
        d('3', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }),
        d('4', { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }),
      ],
    };
    expect(selectPlatform(index, parsePlatform('linux/arm64')).digest).toBe(`sha256:${'3'.repeat(64)}`);
    expect(selectPlatform(index, parsePlatform('linux/arm/v7')).digest).toBe(`sha256:${'4'.repeat(64)}`);
    expect(() => selectPlatform(index, parsePlatform('linux/ppc64le'))).toThrow(
      /offers linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7/,
    );
    expect(() => parsePlatform('linux')).toThrow(/OS\/ARCH/);
  });
});
