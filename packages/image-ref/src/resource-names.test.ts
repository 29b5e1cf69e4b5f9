import { describe, expect, it } from 'vitest';
import { arRepositoryResourceName, formatArReference, parseArReference } from './artifact-registry.js';
import { parseArResourceName, tryParseArResourceName } from './resource-names.js';

describe('Artifact Registry resource names', () => {
  it('reads a repository name back into the reference arRepositoryResourceName wrote it from', () => {
    for (const text of [
      'us-west1-docker.pkg.dev/my-project/my-repo',
      'europe-west4-docker.pkg.dev/example.com/my-project/repo',
      'gcr.io/my-project',
      'eu.gcr.io/my-project',
    ]) {
      const reference = parseArReference(text);
      expect(parseArResourceName(arRepositoryResourceName(reference))).toEqual(reference);
    }
  });

  it('reads packages, tags and versions into image references, decoding escaped package IDs', () => {
    const base = 'projects/my-project/locations/us/repositories/repo/packages/team%2Fapp';
    expect(formatArReference(parseArResourceName(base))).toBe('us-docker.pkg.dev/my-project/repo/team/app');
    expect(formatArReference(parseArResourceName(`${base}/tags/v1.0`))).toBe(
      'us-docker.pkg.dev/my-project/repo/team/app:v1.0',
    );
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseArResourceName(`${base}/versions/${encodeURIComponent(digest)}`)).toMatchObject({
      kind: 'image',
      image: 'team/app',
      digest,
    });
  });

  it('refuses what is not a resource name, naming the part that is wrong', () => {
    const wrong = (name: string) => {
      const result = tryParseArResourceName(name);
      if (result.ok) throw new Error(`parsed ${name}`);
      return result.error;
    };
    expect(wrong('us-docker.pkg.dev/p/r')).toMatchObject({ code: 'AR_IMAGE_REF_INVALID_NAME' });
    expect(wrong('projects/p/locations/us/repositories/repo')).toMatchObject({
      code: 'AR_IMAGE_REF_INVALID_PROJECT_ID',
      part: 'p',
    });
    expect(wrong('projects/my-project/locations/US/repositories/repo')).toMatchObject({
      code: 'AR_IMAGE_REF_INVALID_LOCATION',
      part: 'US',
    });
    expect(wrong('projects/my-project/locations/us/repositories/Repo')).toMatchObject({
      code: 'AR_IMAGE_REF_UPPERCASE',
      part: 'Repo',
    });
    expect(wrong('projects/my-project/locations/us/repositories/repo/packages/%zz')).toMatchObject({
      code: 'AR_IMAGE_REF_INVALID_NAME',
    });
  });
});
