/**
 * distribution/reference reference_test.go, as data. Upstream errors map to our codes:
 * ErrNameEmpty → EMPTY, ErrReferenceInvalidFormat → the code for the part at fault,
 * ErrNameContainsUppercase → UPPERCASE, ErrNameTooLong → NAME_TOO_LONG, go-digest's
 * ErrDigestInvalidLength → INVALID_DIGEST, ErrDigestUnsupported → UNSUPPORTED_DIGEST.
 */
import type { ImageRefErrorCode } from '../../src/index.js';

export const F64 = 'f'.repeat(64);

export interface ReferenceCase {
  readonly input: string;
  readonly code?: ImageRefErrorCode;
  /** `Name()`: domain and path. */
  readonly name?: string;
  readonly domain?: string;
  readonly tag?: string;
  readonly digest?: string;
  /** Why we differ from the upstream expectation, when we do. */
  readonly deviation?: string;
}

/** TestReferenceParse */
export const referenceParseCases: readonly ReferenceCase[] = [
  { input: 'test_com', name: 'test_com' },
  { input: 'test.com:tag', name: 'test.com', tag: 'tag' },
  { input: 'test.com:5000', name: 'test.com', tag: '5000' },
  { input: 'test.com/repo:tag', domain: 'test.com', name: 'test.com/repo', tag: 'tag' },
  { input: 'test:5000/repo', domain: 'test:5000', name: 'test:5000/repo' },
  { input: 'test:5000/repo:tag', domain: 'test:5000', name: 'test:5000/repo', tag: 'tag' },
  {
    input: `test:5000/repo@sha256:${F64}`,
    domain: 'test:5000',
    name: 'test:5000/repo',
    digest: `sha256:${F64}`,
  },
  {
    input: `test:5000/repo:tag@sha256:${F64}`,
    domain: 'test:5000',
    name: 'test:5000/repo',
    tag: 'tag',
    digest: `sha256:${F64}`,
  },
  { input: 'test:5000/repo', domain: 'test:5000', name: 'test:5000/repo' },
  { input: '', code: 'AR_IMAGE_REF_EMPTY' },
  { input: ':justtag', code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: `@sha256:${F64}`, code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: `repo@sha256:${'f'.repeat(34)}`, code: 'AR_IMAGE_REF_INVALID_DIGEST' },
  { input: `validname@invaliddigest:${F64}`, code: 'AR_IMAGE_REF_UNSUPPORTED_DIGEST' },
  {
    input: `validname@sha512:${'f'.repeat(128)}`,
    name: 'validname',
    digest: `sha512:${'f'.repeat(128)}`,
    deviation:
      'upstream expects ErrDigestUnsupported because its test binary does not link crypto/sha512; Docker does, so sha512 digests are valid here',
  },
  { input: 'Uppercase:tag', code: 'AR_IMAGE_REF_UPPERCASE' },
  // Upstream FIXME, kept as upstream behaves: "Uppercase" is taken as a domain, so this passes.
  { input: 'Uppercase/lowercase:tag', domain: 'Uppercase', name: 'Uppercase/lowercase', tag: 'tag' },
  { input: 'test:5000/Uppercase/lowercase:tag', code: 'AR_IMAGE_REF_UPPERCASE' },
  { input: 'lowercase:Uppercase', name: 'lowercase', tag: 'Uppercase' },
  { input: `domain/${'a'.repeat(256)}:tag`, code: 'AR_IMAGE_REF_NAME_TOO_LONG' },
  {
    input: `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
    domain: 'a',
    name: `${'a/'.repeat(127)}a`,
    tag: 'tag-puts-this-over-max',
  },
  { input: 'aa/asdf$$^/aa', code: 'AR_IMAGE_REF_INVALID_COMPONENT' },
  {
    input: 'sub-dom1.foo.com/bar/baz/quux',
    domain: 'sub-dom1.foo.com',
    name: 'sub-dom1.foo.com/bar/baz/quux',
  },
  {
    input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    domain: 'sub-dom1.foo.com',
    name: 'sub-dom1.foo.com/bar/baz/quux',
    tag: 'some-long-tag',
  },
  {
    input: 'b.gcr.io/test.example.com/my-app:test.example.com',
    domain: 'b.gcr.io',
    name: 'b.gcr.io/test.example.com/my-app',
    tag: 'test.example.com',
  },
  {
    input: 'xn--n3h.com/myimage:xn--n3h.com',
    domain: 'xn--n3h.com',
    name: 'xn--n3h.com/myimage',
    tag: 'xn--n3h.com',
  },
  {
    input: `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${F64}`,
    domain: 'xn--7o8h.com',
    name: 'xn--7o8h.com/myimage',
    tag: 'xn--7o8h.com',
    digest: `sha256:${F64}`,
  },
  { input: 'foo_bar.com:8080', name: 'foo_bar.com', tag: '8080' },
  { input: 'foo/foo_bar.com:8080', domain: 'foo', name: 'foo/foo_bar.com', tag: '8080' },
  { input: '192.168.1.1', name: '192.168.1.1' },
  { input: '192.168.1.1:tag', name: '192.168.1.1', tag: 'tag' },
  { input: '192.168.1.1:5000', name: '192.168.1.1', tag: '5000' },
  { input: '192.168.1.1/repo', domain: '192.168.1.1', name: '192.168.1.1/repo' },
  { input: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000', name: '192.168.1.1:5000/repo' },
  {
    input: '192.168.1.1:5000/repo:5050',
    domain: '192.168.1.1:5000',
    name: '192.168.1.1:5000/repo',
    tag: '5050',
  },
  { input: '[2001:db8::1]', code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: '[2001:db8::1]:5000', code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: '[2001:db8::1]:tag', code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: '[2001:db8::1]/repo', domain: '[2001:db8::1]', name: '[2001:db8::1]/repo' },
  {
    input: '[2001:db8:1:2:3:4:5:6]/repo:tag',
    domain: '[2001:db8:1:2:3:4:5:6]',
    name: '[2001:db8:1:2:3:4:5:6]/repo',
    tag: 'tag',
  },
  { input: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo' },
  {
    input: '[2001:db8::1]:5000/repo:tag',
    domain: '[2001:db8::1]:5000',
    name: '[2001:db8::1]:5000/repo',
    tag: 'tag',
  },
  {
    input: `[2001:db8::1]:5000/repo@sha256:${F64}`,
    domain: '[2001:db8::1]:5000',
    name: '[2001:db8::1]:5000/repo',
    digest: `sha256:${F64}`,
  },
  {
    input: `[2001:db8::1]:5000/repo:tag@sha256:${F64}`,
    domain: '[2001:db8::1]:5000',
    name: '[2001:db8::1]:5000/repo',
    tag: 'tag',
    digest: `sha256:${F64}`,
  },
  { input: '[2001:db8::]:5000/repo', domain: '[2001:db8::]:5000', name: '[2001:db8::]:5000/repo' },
  { input: '[::1]:5000/repo', domain: '[::1]:5000', name: '[::1]:5000/repo' },
  { input: '[fe80::1%eth0]:5000/repo', code: 'AR_IMAGE_REF_INVALID_DOMAIN' },
  { input: '[fe80::1%@invalidzone]:5000/repo', code: 'AR_IMAGE_REF_INVALID_COMPONENT' },
  {
    input: `example.com/${'a'.repeat(255)}:tag`,
    domain: 'example.com',
    name: `example.com/${'a'.repeat(255)}`,
    tag: 'tag',
  },
];

/** TestWithNameFailure */
export const withNameFailureCases: readonly ReferenceCase[] = [
  { input: '', code: 'AR_IMAGE_REF_EMPTY' },
  { input: ':justtag', code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: `@sha256:${F64}`, code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: `validname@invaliddigest:${F64}`, code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: 'example.com/repo:tag', code: 'AR_IMAGE_REF_INVALID_NAME' },
  { input: `example.com/${'a'.repeat(256)}`, code: 'AR_IMAGE_REF_NAME_TOO_LONG' },
  { input: 'aa/asdf$$^/aa', code: 'AR_IMAGE_REF_INVALID_COMPONENT' },
];

export interface DomainPathCase {
  readonly input: string;
  readonly domain: string;
  readonly path: string;
}

/** TestDomainAndPath (WithName, so no normalization) */
export const domainAndPathCases: readonly DomainPathCase[] = [
  { input: 'test.com/foo', domain: 'test.com', path: 'foo' },
  { input: 'test_com/foo', domain: '', path: 'test_com/foo' },
  { input: 'test:8080/foo', domain: 'test:8080', path: 'foo' },
  { input: 'test.com:8080/foo', domain: 'test.com:8080', path: 'foo' },
  { input: 'test-com:8080/foo', domain: 'test-com:8080', path: 'foo' },
  { input: 'xn--n3h.com:18080/foo', domain: 'xn--n3h.com:18080', path: 'foo' },
];

/** TestSerialization: the cases that parse, which must format back to their input. */
export const serializationCases: readonly ReferenceCase[] = [
  { input: '', code: 'AR_IMAGE_REF_EMPTY' },
  { input: 'example.com:8000/named', domain: 'example.com:8000', name: 'example.com:8000/named' },
  {
    input: 'example.com:8000/named:tagged',
    domain: 'example.com:8000',
    name: 'example.com:8000/named',
    tag: 'tagged',
  },
  {
    input: 'other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112',
    domain: 'other.com',
    name: 'other.com/named',
    digest: 'sha256:1234567890098765432112345667890098765432112345667890098765432112',
  },
];

/** Upstream's WithTag/WithDigest tables use a 37-digit "sha256" that `Parse` (and we) reject. */
export const UPSTREAM_SHORT_DIGEST = 'sha256:1234567890098765432112345667890098765';

export interface CombineCase {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
  readonly combined: string;
}

const DIGEST_64 = `sha256:${'1234567890'.repeat(6)}1234`;

/** TestWithTag, with a full-length digest in place of the upstream short one. */
export const withTagCases: readonly CombineCase[] = [
  { name: 'test.com/foo', tag: 'tag', combined: 'test.com/foo:tag' },
  { name: 'foo', tag: 'tag2', combined: 'foo:tag2' },
  { name: 'test.com:8000/foo', tag: 'tag4', combined: 'test.com:8000/foo:tag4' },
  { name: 'test.com:8000/foo', tag: 'TAG5', combined: 'test.com:8000/foo:TAG5' },
  {
    name: 'test.com:8000/foo',
    digest: DIGEST_64,
    tag: 'TAG5',
    combined: `test.com:8000/foo:TAG5@${DIGEST_64}`,
  },
];

/** TestWithDigest, likewise. */
export const withDigestCases: readonly CombineCase[] = [
  { name: 'test.com/foo', digest: DIGEST_64, combined: `test.com/foo@${DIGEST_64}` },
  { name: 'foo', digest: DIGEST_64, combined: `foo@${DIGEST_64}` },
  { name: 'test.com:8000/foo', digest: DIGEST_64, combined: `test.com:8000/foo@${DIGEST_64}` },
  {
    name: 'test.com:8000/foo',
    digest: DIGEST_64,
    tag: 'latest',
    combined: `test.com:8000/foo:latest@${DIGEST_64}`,
  },
];

export interface CanonicalCase {
  readonly input: string;
  readonly domain?: string;
  readonly path?: string;
  readonly code?: ImageRefErrorCode;
}

/** TestParseNamed */
export const parseNamedCases: readonly CanonicalCase[] = [
  { input: 'test.com/foo', domain: 'test.com', path: 'foo' },
  { input: 'test:8080/foo', domain: 'test:8080', path: 'foo' },
  { input: 'test_com/foo', code: 'AR_IMAGE_REF_NOT_CANONICAL' },
  { input: 'test.com', code: 'AR_IMAGE_REF_NOT_CANONICAL' },
  { input: 'foo', code: 'AR_IMAGE_REF_NOT_CANONICAL' },
  { input: 'library/foo', code: 'AR_IMAGE_REF_NOT_CANONICAL' },
  { input: 'docker.io/library/foo', domain: 'docker.io', path: 'library/foo' },
  // Ambiguous: the parser adds "library/" to foo.
  { input: 'docker.io/foo', code: 'AR_IMAGE_REF_NOT_CANONICAL' },
];
