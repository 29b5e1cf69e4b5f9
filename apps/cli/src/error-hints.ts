import { isArError } from '@ar/errors';
import type { CliErrorCode } from './exit-codes.js';

/**
 * What to do next, in gar's words: printed after an error's message. Library messages say what
 * happened; the advice that names a gar command or flag lives here, keyed by code (the credential
 * helper's ERROR_HINTS is the model). A hint must hold for every error of its code.
 */
export const ERROR_HINTS: Readonly<Partial<Record<CliErrorCode, string>>> = {
  AR_CORE_MISSING_DEFAULT:
    'Pass the missing --project or --location, or set a default: gar reads GAR_PROJECT (or CLOUDSDK_CORE_PROJECT), GAR_LOCATION (or CLOUDSDK_ARTIFACTS_LOCATION) and the config file.',
  AR_CORE_IMAGE_TAGGED: 'Pass --delete-tags to delete the tags with it, or delete a tag by name.',
  AR_REST_UNAUTHENTICATED: '`gar auth status` shows which identity gar uses.',
  AR_REST_NOT_FOUND: '`gar repositories list` shows the repositories of a project and location.',
  AR_REGISTRY_UNAUTHORIZED:
    "`gar auth status` shows which identity gar uses for Artifact Registry; for other registries gar uses Docker's credentials (`docker login HOST`).",
  AR_REGISTRY_NAME_UNKNOWN:
    'Create it with `gar repositories create`; `gar repositories list` shows what exists.',
  AR_REGISTRY_MANIFEST_NOT_FOUND: '`gar images list` shows the images and tags of a repository.',
  AR_REGISTRY_ARCHIVE_INVALID:
    'gar writes both kinds: `gar pull IMAGE --to docker-archive:FILE` or `gar pull IMAGE --to oci:DIR`.',
  AR_REGISTRY_UNSUPPORTED: 'For Artifact Registry, `gar repositories list` lists the repositories.',
  AR_DOCKER_REGISTRY_DENIED:
    '`gar auth status` shows which identity gar uses; `gar auth configure-docker` makes Docker use it too.',
  AR_DOCKER_IMAGE_NOT_FOUND:
    'In a registry, `gar images list` shows the images and tags of a repository; in the engine, `docker images`.',
};

/** The hint for an error, or undefined when gar has nothing to add to its message. */
export function hintFor(error: unknown): string | undefined {
  return isArError(error) ? (ERROR_HINTS as Record<string, string | undefined>)[error.code] : undefined;
}
