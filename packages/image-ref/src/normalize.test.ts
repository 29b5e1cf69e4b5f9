import { describe, expect, it } from 'vitest';
import {
  familiarize,
  familiarName,
  familiarString,
  formatReference,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  tryParseAnyReference,
  tryParseCanonicalReference,
  tryParseNormalizedNamed,
} from './index.js';

const SHA256 = `sha256:${'ab'.repeat(32)}`;
const ID = 'ab'.repeat(32);

describe('tag and digest together', () => {
  const input = `busybox:1.36@${SHA256}`;

  it('parseNormalizedNamed and parseReference keep both', () => {
    expect(parseNormalizedNamed(input)).toMatchObject({ tag: '1.36', digest: SHA256 });
    expect(parseReference(input)).toMatchObject({ tag: '1.36', digest: SHA256 });
  });

  it('parseDockerRef drops the tag and keeps the digest', () => {
    const reference = parseDockerRef(input);
    expect(reference.tag).toBeUndefined();
    expect(formatReference(reference)).toBe(`docker.io/library/busybox@${SHA256}`);
  });

  it('parseDockerRef adds "latest" only when there is neither', () => {
    expect(formatReference(parseDockerRef('busybox'))).toBe('docker.io/library/busybox:latest');
    expect(formatReference(parseDockerRef('busybox:1'))).toBe('docker.io/library/busybox:1');
    expect(formatReference(parseDockerRef(`busybox@${SHA256}`))).toBe(`docker.io/library/busybox@${SHA256}`);
  });
});

describe('parseNormalizedNamed', () => {
  it('rejects a bare image ID with a hint', () => {
    const result = tryParseNormalizedNamed(ID);
    expect(result.ok ? 'ok' : result.error.code).toBe('AR_IMAGE_REF_BARE_IDENTIFIER');
    expect(result.ok ? '' : result.error.message).toContain('NAME@sha256:<hex>');
  });

  it('reports uppercase in the remote name first, as Docker does', () => {
    const result = tryParseNormalizedNamed('docker/Docker:-bad');
    expect(result.ok ? 'ok' : [result.error.code, result.error.part, result.error.offset]).toEqual([
      'AR_IMAGE_REF_UPPERCASE',
      'Docker',
      7,
    ]);
  });

  it('points errors at the input, not at the implied "docker.io/library/"', () => {
    const result = tryParseNormalizedNamed('ubuntu:-bad');
    expect(result.ok ? 'ok' : [result.error.code, result.error.part, result.error.offset]).toEqual([
      'AR_IMAGE_REF_INVALID_TAG',
      '-bad',
      7,
    ]);
    const index = tryParseNormalizedNamed('index.docker.io/foo:-bad');
    expect(index.ok ? 'ok' : [index.error.part, index.error.offset]).toEqual(['-bad', 20]);
  });

  it('counts the implied "library/" against the 255-character path limit', () => {
    expect(tryParseNormalizedNamed('a'.repeat(247)).ok).toBe(true);
    const result = tryParseNormalizedNamed('a'.repeat(248));
    expect(result.ok ? 'ok' : result.error.code).toBe('AR_IMAGE_REF_NAME_TOO_LONG');
    expect(result.ok ? '' : result.error.message).toContain('counting the implied "library/"');
  });

  it('reproduces Docker on a dotted first component that is not a valid host', () => {
    // Docker keeps "foo_bar.com" as the host, then Parse takes it as a path component.
    expect(parseNormalizedNamed('foo_bar.com/app')).toEqual(parseReference('foo_bar.com/app'));
  });
});

describe('familiar form', () => {
  it.each([
    ['ubuntu', 'ubuntu'],
    ['docker.io/library/ubuntu:24.04', 'ubuntu:24.04'],
    ['docker.io/library/a/b', 'library/a/b'],
    ['docker.io/team/app', 'team/app'],
    ['gcr.io/library/app', 'gcr.io/library/app'],
  ])('%s is shown as %s', (input, familiar) => {
    expect(familiarString(parseNormalizedNamed(input))).toBe(familiar);
  });

  it('familiarName drops tag and digest', () => {
    expect(familiarName(parseNormalizedNamed(`ubuntu:1@${SHA256}`))).toBe('ubuntu');
  });

  it('familiarize leaves non-Docker-Hub references alone', () => {
    const reference = parseNormalizedNamed('example.com/app');
    expect(familiarize(reference)).toBe(reference);
  });
});

describe('parseAnyReference and parseCanonicalReference', () => {
  it('takes an image ID as a sha256 digest', () => {
    expect(tryParseAnyReference(ID)).toEqual({ ok: true, value: { kind: 'digest', digest: `sha256:${ID}` } });
  });

  it('names the canonical form when the input is not in it', () => {
    const result = tryParseCanonicalReference('ubuntu');
    expect(result.ok ? 'ok' : result.error.message).toBe(
      'Reference not in canonical form "ubuntu" at offset 0: write the full reference, "docker.io/library/ubuntu".',
    );
  });
});
