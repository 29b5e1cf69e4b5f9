/**
 * Artifact Registry REST resource names, read back into typed references: the inverse of
 * `arRepositoryResourceName`, so no caller splits `projects/P/locations/L/repositories/R` by hand.
 */
import { locationProblem, projectIdProblem, projectIdToPath } from './ar-ids.js';
import { type ArReference, arLocationHost, scanArAny } from './artifact-registry.js';
import { fail, type ImageRefResult, type Parsed, runParser, unwrap } from './errors.js';
import { CONTAINER_REGISTRY_HOSTS } from './locations.js';

const SHAPE =
  'an Artifact Registry resource name is projects/PROJECT/locations/LOCATION/repositories/REPOSITORY, optionally followed by /packages/PACKAGE and /tags/TAG or /versions/DIGEST';

const RESOURCE_NAME =
  /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)(?:\/packages\/([^/]+)(?:\/(tags|versions)\/([^/]+))?)?$/d;

function scanResourceName(text: string): Parsed<ArReference> {
  const match = RESOURCE_NAME.exec(text);
  if (!match) return fail('AR_IMAGE_REF_INVALID_NAME', 0, text.length, SHAPE);
  const [, project = '', location = '', repository = '', pkg, kind, version] = match;
  const at = (group: number): [number, number] => match.indices![group]!;
  const projectRule = projectIdProblem(project);
  if (projectRule !== undefined) return fail('AR_IMAGE_REF_INVALID_PROJECT_ID', ...at(1), projectRule);
  const locationRule = locationProblem(location);
  if (locationRule !== undefined) return fail('AR_IMAGE_REF_INVALID_LOCATION', ...at(2), locationRule);
  // A repository named after a Container Registry host serves that host, not LOCATION-docker.pkg.dev.
  const gcr = CONTAINER_REGISTRY_HOSTS.find((h) => h.repository === repository && h.location === location);
  let reference = gcr
    ? `${gcr.host}/${projectIdToPath(project)}`
    : `${arLocationHost(location)}/${projectIdToPath(project)}/${repository}`;
  const rest: [number, number] = pkg === undefined ? at(3) : [at(4)[0], text.length];
  try {
    // Package IDs and versions are URL-encoded in names: "team%2Fapp", "sha256%3A…".
    if (pkg !== undefined) reference += `/${decodeURIComponent(pkg)}`;
    if (kind === 'tags') reference += `:${decodeURIComponent(version!)}`;
    if (kind === 'versions') reference += `@${decodeURIComponent(version!)}`;
  } catch {
    return fail(
      'AR_IMAGE_REF_INVALID_NAME',
      ...rest,
      `a package or version holds a malformed %-escape; ${SHAPE}`,
    );
  }
  const scanned = scanArAny(reference);
  // Project and location were checked above: what is left to fail is the repository or the package part.
  return scanned.ok ? scanned : fail(scanned.problem.code, ...rest, scanned.problem.rule);
}

/**
 * Reads `projects/P/locations/L/repositories/R` into an `ArRepositoryRef`, and
 * `…/packages/IMAGE[/tags/TAG | /versions/DIGEST]` into an `ArImageRef`, with the host the
 * repository serves (`L-docker.pkg.dev`, or `gcr.io` for a repository named `gcr.io`).
 */
export function tryParseArResourceName(name: string): ImageRefResult<ArReference> {
  return runParser(name, scanResourceName);
}

/** {@link tryParseArResourceName} that throws {@link ArImageRefError}. */
export function parseArResourceName(name: string): ArReference {
  return unwrap(tryParseArResourceName(name));
}
