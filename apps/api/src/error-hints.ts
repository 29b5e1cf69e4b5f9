import type { AnyErrorCode } from './http-status.js';

/**
 * What a caller of the service does next, in the service's words (request fields, never CLI
 * flags): appended to an error's message. Library messages say what happened; the CLI and the
 * credential helper keep their own tables. A hint must hold for every error of its code.
 */
export const ERROR_HINTS: Readonly<Partial<Record<AnyErrorCode, string>>> = {
  AR_CORE_MISSING_DEFAULT:
    'Name the project and location in the request: the `project` and `location` fields, or a full image reference LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE.',
  AR_CORE_IMAGE_TAGGED:
    'Add `deleteTags=true` to the query to delete the tags with it, or delete a tag by name.',
};

/** An error's message with the service's hint for its code, if it has one. */
export function withHint(code: string, message: string): string {
  const hint = (ERROR_HINTS as Record<string, string | undefined>)[code];
  return hint === undefined ? message : `${message} ${hint}`;
}
