import { describe, expect, it } from 'vitest';
import {
  type ArDefaults,
  completeArImage,
  completeArRepository,
  formatArReference,
  tryCompleteArImage,
  tryCompleteArRepository,
} from './index.js';

const DEFAULTS: ArDefaults = { location: 'us-west1', project: 'my-project', repository: 'my-repo' };

describe('completeArImage', () => {
  it.each([
    ['my-image:1', 'us-west1-docker.pkg.dev/my-project/my-repo/my-image:1'],
    ['team/app', 'us-west1-docker.pkg.dev/my-project/my-repo/team/app'],
    [
      `app@sha256:${'a'.repeat(64)}`,
      `us-west1-docker.pkg.dev/my-project/my-repo/app@sha256:${'a'.repeat(64)}`,
    ],
  ])('completes %s', (input, full) => {
    expect(formatArReference(completeArImage(input, DEFAULTS))).toBe(full);
  });

  it('writes a domain-scoped default project as a path', () => {
    const image = completeArImage('app', { ...DEFAULTS, project: 'example.com:my-project' });
    expect(image.project).toBe('example.com:my-project');
    expect(formatArReference(image)).toBe('us-west1-docker.pkg.dev/example.com/my-project/my-repo/app');
  });

  it('leaves a reference with a host alone', () => {
    const full = 'europe-docker.pkg.dev/other-project/other-repo/app:2';
    expect(formatArReference(completeArImage(full, DEFAULTS))).toBe(full);
    expect(tryCompleteArImage('docker.io/library/ubuntu', DEFAULTS)).toMatchObject({
      ok: false,
      error: { code: 'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY' },
    });
  });

  it('says which defaults are missing', () => {
    const result = tryCompleteArImage('my-image:1', { location: 'us-west1' });
    expect(result.ok ? 'ok' : result.error.code).toBe('AR_IMAGE_REF_MISSING_DEFAULT');
    expect(result.ok ? '' : result.error.message).toBe(
      'Cannot complete from defaults "my-image:1": it names no registry host, so it takes the default location, project and repository, and project and repository are not set: set them, or write the full LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE.',
    );
  });

  it.each([
    [{ ...DEFAULTS, location: 'US West' }, 'AR_IMAGE_REF_INVALID_LOCATION', 'US West'],
    [{ ...DEFAULTS, project: 'Bad' }, 'AR_IMAGE_REF_INVALID_PROJECT_ID', 'Bad'],
    [
      { ...DEFAULTS, project: 'example.com/my-project' },
      'AR_IMAGE_REF_INVALID_PROJECT_ID',
      'example.com/my-project',
    ],
    [{ ...DEFAULTS, repository: 'my_repo' }, 'AR_IMAGE_REF_INVALID_REPOSITORY_ID', 'my_repo'],
  ] as const)('rejects invalid defaults: %o', (defaults, code, value) => {
    const result = tryCompleteArImage('app', defaults);
    expect(result.ok ? 'ok' : [result.error.code, result.error.input]).toEqual([code, value]);
    expect(result.ok ? '' : result.error.message).toContain('(the default ');
  });

  it('points errors at the short input, not at the defaults put before it', () => {
    const result = tryCompleteArImage('team/App:1', DEFAULTS);
    expect(
      result.ok ? 'ok' : [result.error.code, result.error.input, result.error.part, result.error.offset],
    ).toEqual(['AR_IMAGE_REF_UPPERCASE', 'team/App:1', 'App', 5]);
  });

  it('warns about an unknown default location', () => {
    const image = completeArImage('app', { ...DEFAULTS, location: 'eu' });
    expect(image.warnings[0]).toMatchObject({ code: 'AR_IMAGE_REF_UNKNOWN_LOCATION', suggestion: 'europe' });
  });
});

describe('completeArRepository', () => {
  it('takes everything from the defaults when no input is given', () => {
    expect(formatArReference(completeArRepository(undefined, DEFAULTS))).toBe(
      'us-west1-docker.pkg.dev/my-project/my-repo',
    );
  });

  it('takes a bare repository ID', () => {
    expect(formatArReference(completeArRepository('other-repo', DEFAULTS))).toBe(
      'us-west1-docker.pkg.dev/my-project/other-repo',
    );
  });

  it('refuses an image where a repository is wanted', () => {
    const result = tryCompleteArRepository('my-repo/app', DEFAULTS);
    expect(result.ok ? 'ok' : [result.error.code, result.error.part, result.error.offset]).toEqual([
      'AR_IMAGE_REF_NOT_A_REPOSITORY',
      'app',
      8,
    ]);
  });

  it('needs the repository default only without input', () => {
    expect(tryCompleteArRepository('my-repo', { location: 'us', project: 'my-project' }).ok).toBe(true);
    const result = tryCompleteArRepository(undefined, { location: 'us', project: 'my-project' });
    expect(result.ok ? 'ok' : result.error.message).toContain('a repository from defaults alone');
  });

  it('rejects an empty input rather than taking it as "use the defaults"', () => {
    expect(tryCompleteArRepository('', DEFAULTS)).toMatchObject({
      ok: false,
      error: { code: 'AR_IMAGE_REF_EMPTY' },
    });
  });
});
