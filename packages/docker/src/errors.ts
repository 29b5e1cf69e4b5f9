import { ArError, type ArErrorOptions, type ErrorKind } from '@ar/errors';

/** Every code this package throws; {@link DOCKER_ERROR_KINDS} says what kind each is. */
export const DOCKER_ERROR_CODES = [
  /** No engine answers where we looked (socket missing, connection refused, permission denied). */
  'AR_DOCKER_ENGINE_UNREACHABLE',
  /** `docker.host` (DOCKER_HOST) is not an address we can dial, or its TLS files are unusable. */
  'AR_DOCKER_INVALID_HOST',
  /** The engine has no such image (or the registry has no such tag/repository, on pull). */
  'AR_DOCKER_IMAGE_NOT_FOUND',
  /** The engine refuses because of a conflict: an image in use, or a name that is ambiguous. */
  'AR_DOCKER_IMAGE_CONFLICT',
  /** The registry refused the engine's credentials or the identity may not do this. */
  'AR_DOCKER_REGISTRY_DENIED',
  /** The engine reported a failed push (often inside a 200 response). */
  'AR_DOCKER_PUSH_FAILED',
  /** The engine reported a failed pull. */
  'AR_DOCKER_PULL_FAILED',
  /** The engine refused or failed to load a tar. */
  'AR_DOCKER_LOAD_FAILED',
  /** The engine could not export an image (`docker save`). */
  'AR_DOCKER_SAVE_FAILED',
  /** Any other error answer of the engine's API. */
  'AR_DOCKER_ENGINE_ERROR',
  /** The caller's AbortSignal fired; the engine connection was closed, which cancels the operation. */
  'AR_DOCKER_ABORTED',
  /** A bad argument: an option out of range, a digest where a tag is needed. */
  'AR_DOCKER_INVALID_ARGUMENT',
] as const;

export type DockerErrorCode = (typeof DOCKER_ERROR_CODES)[number];

/**
 * The kind of every code: a new code does not compile until it is placed here. A failure the
 * engine reports without saying why is INTERNAL: the engine's own.
 */
export const DOCKER_ERROR_KINDS: Readonly<Record<DockerErrorCode, ErrorKind>> = {
  AR_DOCKER_ENGINE_UNREACHABLE: 'UNAVAILABLE',
  AR_DOCKER_INVALID_HOST: 'INVALID_ARGUMENT',
  AR_DOCKER_IMAGE_NOT_FOUND: 'NOT_FOUND',
  AR_DOCKER_IMAGE_CONFLICT: 'FAILED_PRECONDITION',
  AR_DOCKER_REGISTRY_DENIED: 'PERMISSION_DENIED',
  AR_DOCKER_PUSH_FAILED: 'INTERNAL',
  AR_DOCKER_PULL_FAILED: 'INTERNAL',
  AR_DOCKER_LOAD_FAILED: 'INTERNAL',
  AR_DOCKER_SAVE_FAILED: 'INTERNAL',
  AR_DOCKER_ENGINE_ERROR: 'INTERNAL',
  AR_DOCKER_ABORTED: 'CANCELLED',
  AR_DOCKER_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
};

export interface DockerErrorDetails {
  /** HTTP status of the engine's answer, when the error came from one. */
  readonly status?: number;
  /** The engine's own message, verbatim (also quoted in `message`). */
  readonly engineMessage?: string;
}

export class DockerError extends ArError<DockerErrorCode> {
  readonly status: number | undefined;
  readonly engineMessage: string | undefined;

  constructor(
    code: DockerErrorCode,
    message: string,
    options: Omit<ArErrorOptions, 'kind'> & DockerErrorDetails = {},
  ) {
    super(code, message, { ...options, kind: DOCKER_ERROR_KINDS[code] });
    this.status = options.status;
    this.engineMessage = options.engineMessage;
  }
}
