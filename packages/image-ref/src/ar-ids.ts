/** The identifiers inside an Artifact Registry reference: location, project and repository. */
import { counted, describeCharAt, quote } from './display.js';
import { isDigit, isLowerLetter } from './grammar.js';
import { isLocationSyntax } from './hosts.js';
import { CONTAINER_REGISTRY_HOSTS } from './locations.js';

const PROJECT_ID_RULE =
  'a project ID has 6 to 30 lowercase letters, digits or hyphens, starts with a letter and does not end with a hyphen';
const DOMAIN_SCOPED_PROJECT_RULE =
  'a domain-scoped project ID is DOMAIN:PROJECT (written DOMAIN/PROJECT in an image path), e.g. "example.com:my-project"';
const REPOSITORY_ID_RULE =
  'a repository ID has at most 63 lowercase letters, digits or hyphens, starts with a letter and ends with a letter or digit';
const LOCATION_RULE =
  'a location is a multi-region ("us", "europe", "asia") or a region such as "us-west1": lowercase letters, digits and hyphens';

const MAX_REPOSITORY_ID_LENGTH = 63;

/** Repositories that serve Container Registry hosts carry the host's name, dots and all. */
const CONTAINER_REGISTRY_REPOSITORIES: ReadonlySet<string> = new Set(
  CONTAINER_REGISTRY_HOSTS.flatMap((entry) => (entry.repository === undefined ? [] : [entry.repository])),
);

function isIdCharacter(c: number): boolean {
  return isLowerLetter(c) || isDigit(c) || c === 0x2d;
}

/** Why `id` is not a plain (not domain-scoped) project ID, or undefined. */
export function plainProjectIdProblem(id: string): string | undefined {
  if (id.length === 0) return `the project ID is empty; ${PROJECT_ID_RULE}`;
  if (!isLowerLetter(id.charCodeAt(0))) return `it starts with ${describeCharAt(id, 0)}; ${PROJECT_ID_RULE}`;
  for (let i = 1; i < id.length; i++) {
    if (!isIdCharacter(id.charCodeAt(i)))
      return `${describeCharAt(id, i)} is not allowed; ${PROJECT_ID_RULE}`;
  }
  if (id.endsWith('-')) return `it ends with "-"; ${PROJECT_ID_RULE}`;
  if (id.length < 6 || id.length > 30) return `it has ${counted(id.length, 'character')}; ${PROJECT_ID_RULE}`;
  return undefined;
}

/** Why `domain` is not the domain of a domain-scoped project ("example.com"), or undefined. */
export function projectDomainProblem(domain: string): string | undefined {
  const labels = domain.split('.');
  if (labels.length < 2) return `${quote(domain)} is not a domain; ${DOMAIN_SCOPED_PROJECT_RULE}`;
  for (const label of labels) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) {
      return `${quote(label)} is not a domain label (lowercase letters, digits, inner "-"); ${DOMAIN_SCOPED_PROJECT_RULE}`;
    }
  }
  return undefined;
}

/** Why `project` (plain, or domain-scoped in its "DOMAIN:PROJECT" form) is not a project ID. */
export function projectIdProblem(project: string): string | undefined {
  const colon = project.indexOf(':');
  if (colon < 0) {
    if (project.includes('/'))
      return `write the project ID with ":" rather than "/"; ${DOMAIN_SCOPED_PROJECT_RULE}`;
    return plainProjectIdProblem(project);
  }
  return projectDomainProblem(project.slice(0, colon)) ?? plainProjectIdProblem(project.slice(colon + 1));
}

/** True for a valid project ID, plain ("my-project") or domain-scoped ("example.com:my-project"). */
export function isValidArProjectId(project: string): boolean {
  return typeof project === 'string' && project.length <= 300 && projectIdProblem(project) === undefined;
}

/** Why `id` is not a repository ID, or undefined. */
export function repositoryIdProblem(id: string): string | undefined {
  if (CONTAINER_REGISTRY_REPOSITORIES.has(id)) return undefined;
  if (id.length === 0) return `the repository ID is empty; ${REPOSITORY_ID_RULE}`;
  if (!isLowerLetter(id.charCodeAt(0)))
    return `it starts with ${describeCharAt(id, 0)}; ${REPOSITORY_ID_RULE}`;
  for (let i = 1; i < id.length; i++) {
    if (!isIdCharacter(id.charCodeAt(i)))
      return `${describeCharAt(id, i)} is not allowed; ${REPOSITORY_ID_RULE}`;
  }
  if (id.endsWith('-')) return `it ends with "-"; ${REPOSITORY_ID_RULE}`;
  if (id.length > MAX_REPOSITORY_ID_LENGTH)
    return `it has ${counted(id.length, 'character')}; ${REPOSITORY_ID_RULE}`;
  return undefined;
}

/** True for a valid repository ID, including the Container Registry ones ("gcr.io", "eu.gcr.io", …). */
export function isValidArRepositoryId(id: string): boolean {
  return typeof id === 'string' && id.length <= 300 && repositoryIdProblem(id) === undefined;
}

/** Why `location` does not have the shape of a location, or undefined. Known or not is a warning, not this. */
export function locationProblem(location: string): string | undefined {
  return isLocationSyntax(location) ? undefined : LOCATION_RULE;
}

/** "example.com:my-project" → "example.com/my-project", as image paths write it; plain IDs unchanged. */
export function projectIdToPath(project: string): string {
  return project.replace(':', '/');
}

/** "example.com/my-project" → "example.com:my-project", the project ID; plain IDs unchanged. */
export function projectPathToId(path: string): string {
  return path.replace('/', ':');
}
