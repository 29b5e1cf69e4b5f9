import { describe, expect, it } from 'vitest';
import {
  type ArDefaults,
  completeAnyImage,
  formatArReference,
  formatReference,
  tryCompleteAnyImage,
} from './index.js';

const DEFAULTS: ArDefaults = { location: 'us-west1', project: 'my-project', repository: 'my-repo' };

const read = (input: string, defaults: ArDefaults = DEFAULTS): string => {
  const image = completeAnyImage(input, defaults);
  return image.kind === 'artifact-registry'
    ? `ar ${formatArReference(image.image)}`
    : `other ${formatReference(image.reference)}`;
};

describe('completeAnyImage', () => {
  it.each([
    ['app:1', 'ar us-west1-docker.pkg.dev/my-project/my-repo/app:1'],
    [
      `europe-docker.pkg.dev/other-project/r/app@sha256:${'a'.repeat(64)}`,
      `ar europe-docker.pkg.dev/other-project/r/app@sha256:${'a'.repeat(64)}`,
    ],
    ['docker.io/library/alpine', 'other docker.io/library/alpine:latest'],
    ['127.0.0.1:5000/team/app:1', 'other 127.0.0.1:5000/team/app:1'],
    ['localhost/app', 'other localhost/app:latest'],
    ['gcr.io/my-project/app:2', 'other gcr.io/my-project/app:2'],
  ])('reads %s with defaults', (input, expected) => {
    expect(read(input)).toBe(expected);
  });

  it('reads a name without a host as Docker does when the defaults are not all set', () => {
    expect(read('alpine', {})).toBe('other docker.io/library/alpine:latest');
    expect(read('team/app:1', { location: 'us-west1', project: 'my-project' })).toBe(
      'other docker.io/team/app:1',
    );
  });

  it('still validates Artifact Registry names', () => {
    expect(tryCompleteAnyImage('us-west1-docker.pkg.dev/my-project/app', DEFAULTS)).toMatchObject({
      ok: false,
      error: { code: 'AR_IMAGE_REF_MISSING_IMAGE' },
    });
  });

  it('refuses what Docker refuses', () => {
    expect(tryCompleteAnyImage('Team/App', {})).toMatchObject({ ok: false });
  });
});
