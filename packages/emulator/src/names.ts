import { AR_MULTI_REGIONS, AR_REGIONS, projectIdToPath } from '@ar/image-ref';
import { EmulatorError } from './errors.js';

/**
 * Names as Artifact Registry's server checks them, with its wording in the errors (the client-side
 * parser with offsets and suggestions is @ar/image-ref, whose location list is used here).
 */

/** Project IDs: 6-30 chars, lowercase letters, digits, hyphens, starting with a letter. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** Domain-scoped project: `example.com:my-project` (in registry paths `example.com/my-project`). */
const PROJECT_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const REPOSITORY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IMAGE_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;
const LOCATION = /^[a-z]+(-[a-z]+[0-9]*)?$|^[a-z]+-[a-z]+[0-9]+$/;

/** Locations Artifact Registry offers (@ar/image-ref's list); any of them can hold repositories here. */
export const KNOWN_LOCATIONS: readonly string[] = [...AR_MULTI_REGIONS, ...AR_REGIONS].sort();

export function projectIdProblem(project: string): string | undefined {
  const colon = project.indexOf(':');
  const plain = colon < 0 ? project : project.slice(colon + 1);
  if (colon >= 0 && !PROJECT_DOMAIN.test(project.slice(0, colon))) {
    return `"${project.slice(0, colon)}" is not a valid domain for a domain-scoped project ID`;
  }
  if (!PROJECT_ID.test(plain)) {
    return `"${plain}" is not a valid project ID: 6 to 30 lowercase letters, digits or hyphens, starting with a letter`;
  }
  return undefined;
}

export function repositoryIdProblem(id: string): string | undefined {
  if (REPOSITORY_ID.test(id)) return undefined;
  return `"${id}" is not a valid repository ID: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`;
}

export function locationProblem(location: string): string | undefined {
  if (LOCATION.test(location)) return undefined;
  return `"${location}" is not a valid location (for example us-central1, europe, asia)`;
}

/** The registry host name of a location: `us-west1-docker.pkg.dev`. */
export function arHost(location: string): string {
  return `${location}-docker.pkg.dev`;
}

/** The location named by an AR host (`us-west1-docker.pkg.dev[:443]`), if it is one. */
export function locationOfHost(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const match = /^([a-z0-9-]+)-docker\.pkg\.dev(?::\d+)?$/.exec(host.toLowerCase());
  return match?.[1];
}

/** A registry path's name part, split the AR way. */
export interface ImageName {
  project: string;
  repository: string;
  /** Image path inside the repository (may contain slashes). */
  image: string;
}

/**
 * Splits `PROJECT/REPOSITORY/IMAGE...` (or `DOMAIN/PROJECT/REPOSITORY/IMAGE...`). A first segment
 * with a dot is a domain: AR writes `example.com:my-project` as `example.com/my-project` in paths.
 */
export function parseImageName(name: string): ImageName {
  const segments = name.split('/');
  let project: string;
  let rest: string[];
  if (segments[0]?.includes('.')) {
    project = `${segments[0]}:${segments[1] ?? ''}`;
    rest = segments.slice(2);
  } else {
    project = segments[0] ?? '';
    rest = segments.slice(1);
  }
  const [repository, ...image] = rest;
  if (repository === undefined || image.length === 0) {
    throw new EmulatorError(
      'AR_EMULATOR_NAME_INVALID',
      `"${name}" is not an Artifact Registry image name: expected PROJECT/REPOSITORY/IMAGE.`,
    );
  }
  const problem = projectIdProblem(project) ?? repositoryIdProblem(repository);
  if (problem !== undefined) throw new EmulatorError('AR_EMULATOR_NAME_INVALID', `${problem}.`);
  for (const component of image) {
    if (!IMAGE_COMPONENT.test(component)) {
      throw new EmulatorError(
        'AR_EMULATOR_NAME_INVALID',
        `"${image.join('/')}" is not a valid image name: each path component must be lowercase letters and digits, separated by ".", "_", "__" or "-".`,
      );
    }
  }
  return { project, repository, image: image.join('/') };
}

/** The full name of an image as clients write it: `HOST/PROJECT-PATH/REPO/IMAGE`. */
export function imagePath(name: ImageName): string {
  return `${projectIdToPath(name.project)}/${name.repository}/${name.image}`;
}
