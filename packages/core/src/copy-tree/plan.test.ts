import { describe, expect, it } from 'vitest';
import { decide } from './plan.js';
import { isUnderPrefix, mapRepository, parseRepositoryPrefix } from './prefix.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const DEFAULTS = { location: 'us-west1', project: 'my-project', repository: 'dev' };

describe('repository prefixes', () => {
  it.each([
    ['127.0.0.1:5000/team', { registry: '127.0.0.1:5000', path: 'team' }],
    ['docker://127.0.0.1:5000/team/', { registry: '127.0.0.1:5000', path: 'team' }],
    ['127.0.0.1:5000', { registry: '127.0.0.1:5000', path: '' }],
    ['gcr.io/my-project', { registry: 'gcr.io', path: 'my-project' }],
    ['us-docker.pkg.dev/p/gcr.io', { registry: 'us-docker.pkg.dev', path: 'p/gcr.io' }],
    ['prod', { registry: 'us-west1-docker.pkg.dev', path: 'my-project/prod' }],
  ])('reads %s', (input, expected) => {
    expect(parseRepositoryPrefix(input, DEFAULTS)).toEqual(expected);
  });

  it('refuses a tag, a digest or a bad path component', () => {
    for (const input of ['127.0.0.1:5000/team/app:1', `127.0.0.1:5000/app@${D1}`, '127.0.0.1:5000/Team'])
      expect(() => parseRepositoryPrefix(input, DEFAULTS)).toThrow(
        expect.objectContaining({ code: 'AR_CORE_INVALID_PREFIX' }),
      );
  });

  it('maps a repository to the same path below the destination prefix', () => {
    const from = { registry: 'gcr.io', path: 'my-project' };
    const to = { registry: 'us-docker.pkg.dev', path: 'my-project/gcr.io' };
    expect(mapRepository(from, to, 'my-project/team/app')).toBe('my-project/gcr.io/team/app');
    expect(mapRepository({ registry: 'r', path: '' }, { registry: 's', path: 'mirror' }, 'a/b')).toBe(
      'mirror/a/b',
    );
    expect(mapRepository({ registry: 'r', path: 'a/b' }, { registry: 's', path: 'c' }, 'a/b')).toBe('c');
  });

  it('holds a repository under its prefix only at a path boundary', () => {
    const prefix = { registry: 'r', path: 'team' };
    expect(isUnderPrefix(prefix, 'team')).toBe(true);
    expect(isUnderPrefix(prefix, 'team/app')).toBe(true);
    expect(isUnderPrefix(prefix, 'teammate/app')).toBe(false);
    expect(isUnderPrefix({ registry: 'r', path: '' }, 'anything')).toBe(true);
  });
});

describe('the plan of one image', () => {
  const image = { repository: 'team/app', digest: D1, tags: ['1', 'latest'] };

  it('copies an image the destination lacks', () => {
    expect(decide(image, 'mirror/app', { present: false, tagDigests: new Map() })).toMatchObject({
      action: 'copy',
      missingTags: ['1', 'latest'],
      reason: 'not at the destination',
    });
  });

  it('skips an image whose digest and every tag are already there', () => {
    const tagDigests = new Map([
      ['1', D1],
      ['latest', D1],
    ]);
    expect(decide(image, 'mirror/app', { present: true, tagDigests })).toMatchObject({
      action: 'skip',
      missingTags: [],
    });
  });

  it('writes only the tags that are missing or name another digest', () => {
    const tagDigests = new Map<string, string | undefined>([
      ['1', D1],
      ['latest', D2],
    ]);
    expect(decide(image, 'mirror/app', { present: true, tagDigests })).toMatchObject({
      action: 'copy',
      missingTags: ['latest'],
      reason: 'at the destination, but not tagged latest',
    });
  });

  it('skips an untagged image once its digest is there', () => {
    const untagged = { ...image, tags: [] };
    expect(decide(untagged, 'm', { present: true, tagDigests: new Map() }).action).toBe('skip');
    expect(decide(untagged, 'm', { present: false, tagDigests: new Map() }).action).toBe('copy');
  });
});
