import { describe, expect, it } from 'vitest';
import {
  type ArReference,
  arRegistryHost,
  arRepositoryPath,
  arRepositoryResourceName,
  formatArReference,
  type ImageRefErrorCode,
  parseArImage,
  parseArReference,
  parseArRepository,
  projectIdToPath,
  projectPathToId,
  tryParseArImage,
  tryParseArReference,
  tryParseArRepository,
} from './index.js';

const SHA256 = `sha256:${'0f'.repeat(32)}`;

interface Shape {
  readonly input: string;
  readonly expected: Partial<ArReference> & Record<string, unknown>;
  readonly repositoryPath: string;
  readonly resourceName: string;
}

const shapes: readonly Shape[] = [
  {
    input: 'us-west1-docker.pkg.dev/my-project/my-repo/app',
    expected: {
      kind: 'image',
      host: 'us-west1-docker.pkg.dev',
      endpoint: 'standard',
      location: 'us-west1',
      project: 'my-project',
      repository: 'my-repo',
      image: 'app',
      warnings: [],
    },
    repositoryPath: 'us-west1-docker.pkg.dev/my-project/my-repo',
    resourceName: 'projects/my-project/locations/us-west1/repositories/my-repo',
  },
  {
    input: 'us-docker.pkg.dev/my-project/my-repo/team/svc/api:1.2.3',
    expected: { kind: 'image', location: 'us', image: 'team/svc/api', tag: '1.2.3' },
    repositoryPath: 'us-docker.pkg.dev/my-project/my-repo',
    resourceName: 'projects/my-project/locations/us/repositories/my-repo',
  },
  {
    input: `europe-west4-docker.pkg.dev/my-project/my-repo/app@${SHA256}`,
    expected: { kind: 'image', location: 'europe-west4', image: 'app', digest: SHA256 },
    repositoryPath: 'europe-west4-docker.pkg.dev/my-project/my-repo',
    resourceName: 'projects/my-project/locations/europe-west4/repositories/my-repo',
  },
  {
    input: `asia-docker.pkg.dev/my-project/my-repo/app:v1@${SHA256}`,
    expected: { kind: 'image', location: 'asia', tag: 'v1', digest: SHA256 },
    repositoryPath: 'asia-docker.pkg.dev/my-project/my-repo',
    resourceName: 'projects/my-project/locations/asia/repositories/my-repo',
  },
  {
    input: 'us-central1-docker.pkg.dev/example.com/my-project/my-repo/app:1',
    expected: {
      kind: 'image',
      project: 'example.com:my-project',
      repository: 'my-repo',
      image: 'app',
      tag: '1',
    },
    repositoryPath: 'us-central1-docker.pkg.dev/example.com/my-project/my-repo',
    resourceName: 'projects/example.com:my-project/locations/us-central1/repositories/my-repo',
  },
  {
    input: 'docker.us-east4.rep.pkg.dev/my-project/my-repo/app:1',
    expected: {
      kind: 'image',
      host: 'docker.us-east4.rep.pkg.dev',
      endpoint: 'regional',
      location: 'us-east4',
    },
    repositoryPath: 'docker.us-east4.rep.pkg.dev/my-project/my-repo',
    resourceName: 'projects/my-project/locations/us-east4/repositories/my-repo',
  },
  {
    input: 'gcr.io/my-project/app:1',
    expected: {
      kind: 'image',
      host: 'gcr.io',
      endpoint: 'gcr',
      location: 'us',
      repository: 'gcr.io',
      image: 'app',
    },
    repositoryPath: 'gcr.io/my-project',
    resourceName: 'projects/my-project/locations/us/repositories/gcr.io',
  },
  {
    input: 'eu.gcr.io/example.com/my-project/team/app',
    expected: {
      kind: 'image',
      location: 'europe',
      repository: 'eu.gcr.io',
      project: 'example.com:my-project',
    },
    repositoryPath: 'eu.gcr.io/example.com/my-project',
    resourceName: 'projects/example.com:my-project/locations/europe/repositories/eu.gcr.io',
  },
  {
    input: 'us-docker.pkg.dev/my-project/gcr.io/app',
    expected: { kind: 'image', location: 'us', repository: 'gcr.io', image: 'app' },
    repositoryPath: 'us-docker.pkg.dev/my-project/gcr.io',
    resourceName: 'projects/my-project/locations/us/repositories/gcr.io',
  },
  {
    input: 'us-west1-docker.pkg.dev/my-project/my-repo',
    expected: { kind: 'repository', location: 'us-west1', project: 'my-project', repository: 'my-repo' },
    repositoryPath: 'us-west1-docker.pkg.dev/my-project/my-repo',
    resourceName: 'projects/my-project/locations/us-west1/repositories/my-repo',
  },
  {
    input: 'asia.gcr.io/my-project',
    expected: { kind: 'repository', location: 'asia', repository: 'asia.gcr.io' },
    repositoryPath: 'asia.gcr.io/my-project',
    resourceName: 'projects/my-project/locations/asia/repositories/asia.gcr.io',
  },
];

describe('Artifact Registry references of every shape', () => {
  it.each(shapes.map((shape) => [shape.input, shape] as const))('%s', (_, shape) => {
    const reference = parseArReference(shape.input);
    expect(reference).toMatchObject(shape.expected);
    expect(formatArReference(reference)).toBe(shape.input);
    expect(arRepositoryPath(reference)).toBe(shape.repositoryPath);
    expect(arRepositoryResourceName(reference)).toBe(shape.resourceName);
    expect(arRegistryHost(reference)).toBe(shape.input.slice(0, shape.input.indexOf('/')));
    expect(Object.isFrozen(reference)).toBe(true);
  });

  it('lowercases the host in the canonical string', () => {
    expect(formatArReference(parseArImage('US-West1-Docker.pkg.dev/my-project/my-repo/app'))).toBe(
      'us-west1-docker.pkg.dev/my-project/my-repo/app',
    );
  });
});

describe('image and repository entry points', () => {
  it('parseArImage refuses a repository reference', () => {
    const result = tryParseArImage('us-west1-docker.pkg.dev/my-project/my-repo');
    expect(result.ok ? 'ok' : [result.error.code, result.error.offset]).toEqual([
      'AR_IMAGE_REF_MISSING_IMAGE',
      42,
    ]);
    expect(result.ok ? '' : result.error.message).toContain('parseArRepository');
  });

  it('parseArRepository refuses an image, a tag or a digest', () => {
    for (const [input, part] of [
      ['us-west1-docker.pkg.dev/my-project/my-repo/app', 'app'],
      ['us-west1-docker.pkg.dev/my-project/my-repo/app:1', 'app:1'],
      ['us-west1-docker.pkg.dev/my-project/my-repo:1', ':1'],
    ] as const) {
      const result = tryParseArRepository(input);
      expect(result.ok ? 'ok' : [result.error.code, result.error.part]).toEqual([
        'AR_IMAGE_REF_NOT_A_REPOSITORY',
        part,
      ]);
    }
    expect(parseArRepository('us-west1-docker.pkg.dev/my-project/my-repo').kind).toBe('repository');
  });

  it('parseArReference refuses a tag on a repository', () => {
    const result = tryParseArReference(`us-west1-docker.pkg.dev/my-project/my-repo@${SHA256}`);
    expect(result.ok ? 'ok' : result.error.code).toBe('AR_IMAGE_REF_MISSING_IMAGE');
  });
});

describe('warnings', () => {
  it('warns on an unknown location and suggests the nearest', () => {
    const reference = parseArImage('us-west-1-docker.pkg.dev/my-project/my-repo/app');
    expect(reference.location).toBe('us-west-1');
    expect(reference.warnings).toEqual([
      {
        code: 'AR_IMAGE_REF_UNKNOWN_LOCATION',
        location: 'us-west-1',
        suggestion: 'us-west1',
        message:
          'Unknown Artifact Registry location "us-west-1" (did you mean "us-west1"?); kept as written, see "gcloud artifacts locations list"',
      },
    ]);
  });

  it('warns on a regional endpoint no known region has', () => {
    const reference = parseArImage('docker.us.rep.pkg.dev/my-project/my-repo/app');
    expect(reference.warnings.map((warning) => warning.code)).toEqual([
      'AR_IMAGE_REF_UNKNOWN_REGIONAL_ENDPOINT',
    ]);
  });
});

describe('rejections', () => {
  it.each([
    ['docker.io/library/ubuntu', 'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY', 'docker.io', 0],
    ['ubuntu:24.04', 'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY', 'ubuntu', 0],
    [
      'docker.pkg.dev.evil.com/my-project/my-repo/app',
      'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY',
      'docker.pkg.dev.evil.com',
      0,
    ],
    [
      'us-docker.pkg.dev:443/my-project/my-repo/app',
      'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY',
      'us-docker.pkg.dev:443',
      0,
    ],
    ['marketplace.gcr.io/google/ubuntu', 'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY', 'marketplace.gcr.io', 0],
    ['us-docker.pkg.dev', 'AR_IMAGE_REF_MISSING_REPOSITORY', '', 17],
    ['us-docker.pkg.dev/my-project', 'AR_IMAGE_REF_MISSING_REPOSITORY', '', 28],
    ['us-docker.pkg.dev/p/my-repo/app', 'AR_IMAGE_REF_INVALID_PROJECT_ID', 'p', 18],
    ['us-docker.pkg.dev/1project/my-repo/app', 'AR_IMAGE_REF_INVALID_PROJECT_ID', '1project', 18],
    ['us-docker.pkg.dev/my_project/my-repo/app', 'AR_IMAGE_REF_INVALID_PROJECT_ID', 'my_project', 18],
    // Docker's grammar already refuses the trailing "-", so the project rule is never reached.
    ['us-docker.pkg.dev/my-project-/my-repo/app', 'AR_IMAGE_REF_INVALID_COMPONENT', 'my-project-', 18],
    [
      `us-docker.pkg.dev/${'p'.repeat(31)}/my-repo/app`,
      'AR_IMAGE_REF_INVALID_PROJECT_ID',
      'p'.repeat(31),
      18,
    ],
    ['us-docker.pkg.dev/example.com/abc/my-repo/app', 'AR_IMAGE_REF_INVALID_PROJECT_ID', 'abc', 30],
    ['us-docker.pkg.dev/example.com/my-project', 'AR_IMAGE_REF_MISSING_REPOSITORY', '', 40],
    ['us-docker.pkg.dev/example.com', 'AR_IMAGE_REF_INVALID_PROJECT_ID', 'example.com', 18],
    [
      'us-docker.pkg.dev/exa_mple.com/my-project/r/app',
      'AR_IMAGE_REF_INVALID_PROJECT_ID',
      'exa_mple.com',
      18,
    ],
    ['us-docker.pkg.dev/my-project/my_repo/app', 'AR_IMAGE_REF_INVALID_REPOSITORY_ID', 'my_repo', 29],
    ['us-docker.pkg.dev/my-project/9repo/app', 'AR_IMAGE_REF_INVALID_REPOSITORY_ID', '9repo', 29],
    [
      `us-docker.pkg.dev/my-project/${'r'.repeat(64)}/app`,
      'AR_IMAGE_REF_INVALID_REPOSITORY_ID',
      'r'.repeat(64),
      29,
    ],
    ['us-docker.pkg.dev/my-project/my-repo/App', 'AR_IMAGE_REF_UPPERCASE', 'App', 37],
    ['us-docker.pkg.dev/my-project/my-repo/app:-bad', 'AR_IMAGE_REF_INVALID_TAG', '-bad', 41],
  ] as const)('%s fails with %s on "%s" at %i', (input, code: ImageRefErrorCode, part, offset) => {
    const result = tryParseArReference(input);
    expect(result.ok ? 'ok' : [result.error.code, result.error.part, result.error.offset]).toEqual([
      code,
      part,
      offset,
    ]);
  });

  it('explains a Container Registry host without a repository mapping', () => {
    const result = tryParseArImage('marketplace.gcr.io/google/ubuntu');
    expect(result.ok ? '' : result.error.message).toContain('Marketplace');
  });
});

describe('domain-scoped project IDs', () => {
  it('converts between the ID and the path form', () => {
    expect(projectIdToPath('example.com:my-project')).toBe('example.com/my-project');
    expect(projectPathToId('example.com/my-project')).toBe('example.com:my-project');
    expect(projectIdToPath('my-project')).toBe('my-project');
    expect(projectPathToId('my-project')).toBe('my-project');
  });
});
