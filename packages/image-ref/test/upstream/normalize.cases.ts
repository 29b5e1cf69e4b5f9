/** distribution/reference normalize_test.go, as data. */

/** TestValidateReferenceName */
export const validReferenceNames: readonly string[] = [
  'docker/docker',
  'library/debian',
  'debian',
  'localhost/library/debian',
  'localhost/debian',
  'LOCALDOMAIN/library/debian',
  'LOCALDOMAIN/debian',
  'docker.io/docker/docker',
  'docker.io/library/debian',
  'docker.io/debian',
  'index.docker.io/docker/docker',
  'index.docker.io/library/debian',
  'index.docker.io/debian',
  '127.0.0.1:5000/docker/docker',
  '127.0.0.1:5000/library/debian',
  '127.0.0.1:5000/debian',
  '192.168.0.1',
  '192.168.0.1:80',
  '192.168.0.1:8/debian',
  '192.168.0.2:25000/debian',
  'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
  '[fc00::1]:5000/docker',
  '[fc00::1]:5000/docker/docker',
  '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
  // Valid with a host: the host removes the ambiguity with an image ID.
  'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'Docker/docker',
  'DOCKER/docker',
];

export const invalidReferenceNames: readonly string[] = [
  'https://github.com/docker/docker',
  'docker/Docker',
  '-docker',
  '-docker/docker',
  '-docker.io/docker/docker',
  'docker///docker',
  'docker.io/docker/Docker',
  'docker.io/docker///docker',
  '[fc00::1]',
  '[fc00::1]:5000',
  'fc00::1:5000/debian',
  '[fe80::1%eth0]:5000/debian',
  '[2001:db8:3:4::192.0.2.33]:5000/debian',
  '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
];

/** TestValidateRemoteName */
export const validRemoteNames: readonly string[] = [
  'docker/docker',
  'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
  'docker-rules/docker',
  'docker---rules/docker',
  'doc/docker',
  'd/docker',
  'jess/t',
  'dock__er/docker',
];

export const invalidRemoteNames: readonly string[] = [
  'docker/Docker',
  'docker///docker',
  '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  '-docker/docker',
  'docker-/docker',
  '-docker-/docker',
  '____/____',
  '_docker/_docker',
  'dock..er/docker',
  'dock_.er/docker',
  'dock-.er/docker',
  'docker/',
  'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
];

export interface RepositoryInfoCase {
  readonly remoteName: string;
  readonly familiarName: string;
  readonly fullName: string;
  readonly ambiguousName: string;
  readonly domain: string;
}

/** TestParseRepositoryInfo: familiar, full and ambiguous spellings all normalize alike. */
export const repositoryInfoCases: readonly RepositoryInfoCase[] = [
  {
    remoteName: 'fooo',
    familiarName: 'localhost/fooo',
    fullName: 'localhost/fooo',
    ambiguousName: 'localhost/fooo',
    domain: 'localhost',
  },
  {
    remoteName: 'fooo/bar',
    familiarName: 'localhost/fooo/bar',
    fullName: 'localhost/fooo/bar',
    ambiguousName: 'localhost/fooo/bar',
    domain: 'localhost',
  },
  {
    remoteName: 'fooo',
    familiarName: 'LOCALDOMAIN/fooo',
    fullName: 'LOCALDOMAIN/fooo',
    ambiguousName: 'LOCALDOMAIN/fooo',
    domain: 'LOCALDOMAIN',
  },
  {
    remoteName: 'fooo/bar',
    familiarName: 'LOCALDOMAIN/fooo/bar',
    fullName: 'LOCALDOMAIN/fooo/bar',
    ambiguousName: 'LOCALDOMAIN/fooo/bar',
    domain: 'LOCALDOMAIN',
  },
  {
    remoteName: 'fooo/bar',
    familiarName: 'fooo/bar',
    fullName: 'docker.io/fooo/bar',
    ambiguousName: 'index.docker.io/fooo/bar',
    domain: 'docker.io',
  },
  {
    remoteName: 'library/ubuntu',
    familiarName: 'ubuntu',
    fullName: 'docker.io/library/ubuntu',
    ambiguousName: 'library/ubuntu',
    domain: 'docker.io',
  },
  {
    remoteName: 'nonlibrary/ubuntu',
    familiarName: 'nonlibrary/ubuntu',
    fullName: 'docker.io/nonlibrary/ubuntu',
    ambiguousName: '',
    domain: 'docker.io',
  },
  {
    remoteName: 'other/library',
    familiarName: 'other/library',
    fullName: 'docker.io/other/library',
    ambiguousName: '',
    domain: 'docker.io',
  },
  {
    remoteName: 'private/moonbase',
    familiarName: '127.0.0.1:8000/private/moonbase',
    fullName: '127.0.0.1:8000/private/moonbase',
    ambiguousName: '',
    domain: '127.0.0.1:8000',
  },
  {
    remoteName: 'privatebase',
    familiarName: '127.0.0.1:8000/privatebase',
    fullName: '127.0.0.1:8000/privatebase',
    ambiguousName: '',
    domain: '127.0.0.1:8000',
  },
  {
    remoteName: 'private/moonbase',
    familiarName: 'example.com/private/moonbase',
    fullName: 'example.com/private/moonbase',
    ambiguousName: '',
    domain: 'example.com',
  },
  {
    remoteName: 'privatebase',
    familiarName: 'example.com/privatebase',
    fullName: 'example.com/privatebase',
    ambiguousName: '',
    domain: 'example.com',
  },
  {
    remoteName: 'private/moonbase',
    familiarName: 'example.com:8000/private/moonbase',
    fullName: 'example.com:8000/private/moonbase',
    ambiguousName: '',
    domain: 'example.com:8000',
  },
  {
    remoteName: 'privatebasee',
    familiarName: 'example.com:8000/privatebasee',
    fullName: 'example.com:8000/privatebasee',
    ambiguousName: '',
    domain: 'example.com:8000',
  },
  {
    remoteName: 'library/ubuntu-12.04-base',
    familiarName: 'ubuntu-12.04-base',
    fullName: 'docker.io/library/ubuntu-12.04-base',
    ambiguousName: 'index.docker.io/library/ubuntu-12.04-base',
    domain: 'docker.io',
  },
  {
    remoteName: 'library/foo',
    familiarName: 'foo',
    fullName: 'docker.io/library/foo',
    ambiguousName: 'docker.io/foo',
    domain: 'docker.io',
  },
  {
    remoteName: 'library/foo/bar',
    familiarName: 'library/foo/bar',
    fullName: 'docker.io/library/foo/bar',
    ambiguousName: '',
    domain: 'docker.io',
  },
  {
    remoteName: 'store/foo/bar',
    familiarName: 'store/foo/bar',
    fullName: 'docker.io/store/foo/bar',
    ambiguousName: '',
    domain: 'docker.io',
  },
  { remoteName: 'bar', familiarName: 'Foo/bar', fullName: 'Foo/bar', ambiguousName: '', domain: 'Foo' },
  { remoteName: 'bar', familiarName: 'FOO/bar', fullName: 'FOO/bar', ambiguousName: '', domain: 'FOO' },
];

const REDIS_DIGEST = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

export interface AnyReferenceCase {
  readonly reference: string;
  readonly equivalent: string;
  /** Set when the result is a bare digest rather than a named reference. */
  readonly digestOnly?: boolean;
}

/** TestParseAnyReference */
export const anyReferenceCases: readonly AnyReferenceCase[] = [
  { reference: 'redis', equivalent: 'docker.io/library/redis' },
  { reference: 'redis:latest', equivalent: 'docker.io/library/redis:latest' },
  { reference: 'docker.io/library/redis:latest', equivalent: 'docker.io/library/redis:latest' },
  { reference: `redis@${REDIS_DIGEST}`, equivalent: `docker.io/library/redis@${REDIS_DIGEST}` },
  {
    reference: `docker.io/library/redis@${REDIS_DIGEST}`,
    equivalent: `docker.io/library/redis@${REDIS_DIGEST}`,
  },
  { reference: 'dmcgowan/myapp', equivalent: 'docker.io/dmcgowan/myapp' },
  { reference: 'dmcgowan/myapp:latest', equivalent: 'docker.io/dmcgowan/myapp:latest' },
  { reference: 'docker.io/mcgowan/myapp:latest', equivalent: 'docker.io/mcgowan/myapp:latest' },
  { reference: `dmcgowan/myapp@${REDIS_DIGEST}`, equivalent: `docker.io/dmcgowan/myapp@${REDIS_DIGEST}` },
  {
    reference: `docker.io/dmcgowan/myapp@${REDIS_DIGEST}`,
    equivalent: `docker.io/dmcgowan/myapp@${REDIS_DIGEST}`,
  },
  { reference: REDIS_DIGEST.slice('sha256:'.length), equivalent: REDIS_DIGEST, digestOnly: true },
  { reference: REDIS_DIGEST, equivalent: REDIS_DIGEST, digestOnly: true },
  {
    reference: 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
    equivalent: 'docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
  },
  { reference: 'dbcc1', equivalent: 'docker.io/library/dbcc1' },
];

export interface SplitHostnameCase {
  readonly input: string;
  readonly domain: string;
  readonly path: string;
}

/** TestNormalizedSplitHostname */
export const normalizedSplitHostnameCases: readonly SplitHostnameCase[] = [
  { input: 'test.com/foo', domain: 'test.com', path: 'foo' },
  { input: 'test_com/foo', domain: 'docker.io', path: 'test_com/foo' },
  { input: 'docker/migrator', domain: 'docker.io', path: 'docker/migrator' },
  { input: 'test.com:8080/foo', domain: 'test.com:8080', path: 'foo' },
  { input: 'test-com:8080/foo', domain: 'test-com:8080', path: 'foo' },
  { input: 'foo', domain: 'docker.io', path: 'library/foo' },
  { input: 'xn--n3h.com/foo', domain: 'xn--n3h.com', path: 'foo' },
  { input: 'xn--n3h.com:18080/foo', domain: 'xn--n3h.com:18080', path: 'foo' },
  { input: 'docker.io/foo', domain: 'docker.io', path: 'library/foo' },
  { input: 'docker.io/library/foo', domain: 'docker.io', path: 'library/foo' },
  { input: 'docker.io/library/foo/bar', domain: 'docker.io', path: 'library/foo/bar' },
];

const BUSYBOX_DIGEST = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';

export interface DockerRefCase {
  readonly name: string;
  readonly input: string;
  readonly expected: string;
}

/** TestParseDockerRef */
export const dockerRefCases: readonly DockerRefCase[] = [
  { name: 'nothing', input: 'busybox', expected: 'docker.io/library/busybox:latest' },
  { name: 'tag only', input: 'busybox:latest', expected: 'docker.io/library/busybox:latest' },
  {
    name: 'digest only',
    input: `busybox@${BUSYBOX_DIGEST}`,
    expected: `docker.io/library/busybox@${BUSYBOX_DIGEST}`,
  },
  { name: 'path only', input: 'library/busybox', expected: 'docker.io/library/busybox:latest' },
  { name: 'hostname only', input: 'docker.io/busybox', expected: 'docker.io/library/busybox:latest' },
  { name: 'no tag', input: 'docker.io/library/busybox', expected: 'docker.io/library/busybox:latest' },
  { name: 'no path', input: 'docker.io/busybox:latest', expected: 'docker.io/library/busybox:latest' },
  { name: 'no hostname', input: 'library/busybox:latest', expected: 'docker.io/library/busybox:latest' },
  {
    name: 'full reference with tag',
    input: 'docker.io/library/busybox:latest',
    expected: 'docker.io/library/busybox:latest',
  },
  {
    name: 'gcr reference without tag',
    input: 'gcr.io/library/busybox',
    expected: 'gcr.io/library/busybox:latest',
  },
  {
    name: 'both tag and digest',
    input: `gcr.io/library/busybox:latest@${BUSYBOX_DIGEST}`,
    expected: `gcr.io/library/busybox@${BUSYBOX_DIGEST}`,
  },
];

/** TestParseReferenceWithTagAndDigest */
export const TAG_AND_DIGEST_SHORT_REF =
  'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
