import {
  type ArDefaults,
  arRepositoryPath,
  completeArRepository,
  explicitDomain,
  isValidDomain,
} from '@ar/image-ref';
import { ArCoreError } from '../errors.js';

/** A registry and a repository path under it (`''`: the whole registry): where a tree starts. */
export interface RepositoryPrefix {
  readonly registry: string;
  readonly path: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * A tree's root as a user writes it: `HOST[/PATH]` (`127.0.0.1:5000/team`, `gcr.io/my-project`,
 * `us-west1-docker.pkg.dev/p/r/team`), or, without a host, an Artifact Registry repository
 * completed from the defaults (`prod` → `LOCATION-docker.pkg.dev/PROJECT/prod`).
 */
export function parseRepositoryPrefix(input: string, defaults: ArDefaults): RepositoryPrefix {
  const text = input.replace(/^docker:\/\//, '').replace(/\/+$/, '');
  const host = explicitDomain(text) ?? (text.includes('/') ? undefined : hostOnly(text));
  if (host === undefined) {
    const full = arRepositoryPath(completeArRepository(text, defaults));
    const slash = full.indexOf('/');
    return { registry: full.slice(0, slash), path: full.slice(slash + 1) };
  }
  const path = text.slice(host.length + 1);
  const bad = path === '' ? undefined : path.split('/').find((component) => !COMPONENT.test(component));
  if (bad !== undefined || !isValidDomain(host))
    throw new ArCoreError(
      'AR_CORE_INVALID_PREFIX',
      `"${input}" is not a repository prefix${bad !== undefined ? ` ("${bad}" is not a repository path component)` : ''}: write HOST[/PATH], without a tag or digest, e.g. 127.0.0.1:5000/team or us-west1-docker.pkg.dev/PROJECT/REPOSITORY.`,
    );
  return { registry: host, path };
}

/** A bare host (`gcr.io`, `127.0.0.1:5000`, `localhost`): a whole registry. */
function hostOnly(text: string): string | undefined {
  return text === 'localhost' || /[.:]/.test(text) ? text : undefined;
}

export function formatPrefix(prefix: RepositoryPrefix): string {
  return prefix.path ? `${prefix.registry}/${prefix.path}` : prefix.registry;
}

/** Whether a repository of the prefix's registry lies under it (the prefix's own repository included). */
export function isUnderPrefix(prefix: RepositoryPrefix, repository: string): boolean {
  return prefix.path === '' || repository === prefix.path || repository.startsWith(`${prefix.path}/`);
}

/** Where a repository under `from` goes under `to`: `to` plus its path below `from`. */
export function mapRepository(from: RepositoryPrefix, to: RepositoryPrefix, repository: string): string {
  const below = from.path === '' ? repository : repository.slice(from.path.length + 1);
  return [to.path, below].filter((part) => part !== '').join('/');
}
