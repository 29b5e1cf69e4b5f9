import { describe, expect, it } from 'vitest';
import {
  formatReference,
  type ImageRefErrorCode,
  parseName,
  parseReference,
  trimNamed,
  tryParseReference,
  withDigest,
  withTag,
} from './index.js';

const SHA256 = `sha256:${'0123456789abcdef'.repeat(4)}`;

function failure(input: string): { code: ImageRefErrorCode; part: string; offset: number; message: string } {
  const result = tryParseReference(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to fail`);
  const { code, part, offset, message } = result.error;
  return { code, part, offset, message };
}

describe('parseReference', () => {
  it('parses every part of a full reference without normalizing', () => {
    expect(parseReference(`registry.example.com:5000/team/app:1.2@${SHA256}`)).toEqual({
      domain: 'registry.example.com:5000',
      path: 'team/app',
      name: 'registry.example.com:5000/team/app',
      tag: '1.2',
      digest: SHA256,
    });
    expect(parseReference('ubuntu')).toEqual({ domain: '', path: 'ubuntu', name: 'ubuntu' });
  });

  it('returns frozen values', () => {
    expect(Object.isFrozen(parseReference('ubuntu:1'))).toBe(true);
  });

  it.each([
    ['aa//bb', 'AR_IMAGE_REF_INVALID_NAME', '/', 3],
    ['a_a//bb', 'AR_IMAGE_REF_INVALID_NAME', '//', 3],
    ['aa/bb/', 'AR_IMAGE_REF_INVALID_NAME', '/', 5],
    ['/aa', 'AR_IMAGE_REF_INVALID_NAME', '/', 0],
    ['foo/Bar/baz', 'AR_IMAGE_REF_UPPERCASE', 'Bar', 4],
    ['foo/bar--/baz', 'AR_IMAGE_REF_INVALID_COMPONENT', 'bar--', 4],
    ['foo/b..r', 'AR_IMAGE_REF_INVALID_COMPONENT', 'b..r', 4],
    ['foo/ba r', 'AR_IMAGE_REF_INVALID_COMPONENT', 'ba r', 4],
    ['foo:bar:baz', 'AR_IMAGE_REF_INVALID_TAG', 'bar:baz', 4],
    [`foo:${'t'.repeat(129)}`, 'AR_IMAGE_REF_INVALID_TAG', 't'.repeat(129), 4],
    ['foo@sha256:xyz', 'AR_IMAGE_REF_INVALID_DIGEST', 'sha256:xyz', 4],
    [`foo@sha256:${'A'.repeat(64)}`, 'AR_IMAGE_REF_INVALID_DIGEST', `sha256:${'A'.repeat(64)}`, 4],
    [`foo@SHA256:${'a'.repeat(64)}`, 'AR_IMAGE_REF_UNSUPPORTED_DIGEST', `SHA256:${'a'.repeat(64)}`, 4],
    [`foo@md5:${'a'.repeat(32)}`, 'AR_IMAGE_REF_UNSUPPORTED_DIGEST', `md5:${'a'.repeat(32)}`, 4],
    [`foo@${SHA256}@${SHA256}`, 'AR_IMAGE_REF_INVALID_DIGEST', `${SHA256}@${SHA256}`, 4],
    ['bad_host.com:80/app', 'AR_IMAGE_REF_INVALID_DOMAIN', 'bad_host.com:80', 0],
    ['host:http/app', 'AR_IMAGE_REF_INVALID_DOMAIN', 'host:http', 0],
    [`x/${'a'.repeat(256)}`, 'AR_IMAGE_REF_NAME_TOO_LONG', 'a'.repeat(256), 2],
    [' ubuntu', 'AR_IMAGE_REF_INVALID_COMPONENT', ' ubuntu', 0],
    ['ubuntu\u0000', 'AR_IMAGE_REF_INVALID_COMPONENT', 'ubuntu\u0000', 0],
  ] as const)('%s fails with %s on %s at %i', (input, code, part, offset) => {
    expect(failure(input)).toMatchObject({ code, part, offset });
  });

  it('says what would be valid', () => {
    expect(failure('foo/bar--/baz').message).toBe(
      'Invalid path component "bar--" in "foo/bar--/baz" at offset 4: it ends with "--"; a path component is lowercase letters and digits, separated by ".", "_", "__" or a run of "-", and starts and ends with a letter or digit.',
    );
    expect(failure('foo/Bar').message).toContain('write "bar"');
    expect(failure(`foo@sha256:${'a'.repeat(40)}`).message).toContain(
      'a sha256 digest has exactly 64 hex digits, this one has 40',
    );
  });

  it('reports problems in the order Docker does: shape first, then case, then length', () => {
    // Lowercasing would not make this valid, so Docker says "invalid format", not "uppercase".
    expect(failure('Foo:-bad').code).toBe('AR_IMAGE_REF_INVALID_TAG');
    expect(failure(`x/${'A'.repeat(300)}`).code).toBe('AR_IMAGE_REF_UPPERCASE');
  });

  it('only takes ASCII uppercase for uppercase', () => {
    // Go lower-cases the Kelvin sign to "k" and calls this uppercase; both reject it.
    expect(failure('\u212aubuntu').code).toBe('AR_IMAGE_REF_INVALID_COMPONENT');
  });
});

describe('parseName, withTag, withDigest, trimNamed', () => {
  it('builds and strips references as WithName/WithTag/WithDigest/TrimNamed do', () => {
    const name = parseName('example.com/app');
    const tagged = withTag(name, 'v1');
    const both = withDigest(tagged, SHA256);
    expect(formatReference(both)).toBe(`example.com/app:v1@${SHA256}`);
    expect(formatReference(withTag(both, 'v2'))).toBe(`example.com/app:v2@${SHA256}`);
    expect(trimNamed(both)).toEqual(name);
  });

  it('refuses a tag or digest in a name', () => {
    expect(() => parseName('app:1')).toThrow(
      expect.objectContaining({ code: 'AR_IMAGE_REF_INVALID_NAME', offset: 3 }),
    );
  });

  it('validates what it adds', () => {
    expect(() => withTag(parseName('app'), '')).toThrow(
      expect.objectContaining({ code: 'AR_IMAGE_REF_INVALID_TAG' }),
    );
    expect(() => withDigest(parseName('app'), `sha256:${'a'.repeat(63)}`)).toThrow(
      expect.objectContaining({ code: 'AR_IMAGE_REF_INVALID_DIGEST' }),
    );
  });
});
