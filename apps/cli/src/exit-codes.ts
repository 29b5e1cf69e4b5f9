import type { AuthErrorCode } from '@ar/auth';
import type { ConfigErrorCode } from '@ar/config';
import type { CoreErrorCode } from '@ar/core';
import type { DockerErrorCode } from '@ar/docker';
import type { EmulatorErrorCode } from '@ar/emulator';
import { type ErrorKind, errorKind, isArError } from '@ar/errors';
import type { ImageRefErrorCode } from '@ar/image-ref';
import type { RegistryErrorCode } from '@ar/registry';

/** Exit statuses, documented in the root README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  denied: 4,
  notFound: 5,
  conflict: 6,
  unavailable: 7,
  localFile: 8,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

export type CliErrorCode =
  | AuthErrorCode
  | ConfigErrorCode
  | CoreErrorCode
  | ImageRefErrorCode
  | RegistryErrorCode
  | DockerErrorCode
  | EmulatorErrorCode;

/** The exit status of each kind of error: a new kind fails the build until it is placed. */
export const EXIT_BY_KIND: Readonly<Record<ErrorKind, ExitStatus>> = {
  INVALID_ARGUMENT: EXIT.usage,
  OUT_OF_RANGE: EXIT.usage,
  UNAUTHENTICATED: EXIT.auth,
  PERMISSION_DENIED: EXIT.denied,
  NOT_FOUND: EXIT.notFound,
  ALREADY_EXISTS: EXIT.conflict,
  FAILED_PRECONDITION: EXIT.conflict,
  RESOURCE_EXHAUSTED: EXIT.unavailable,
  UNAVAILABLE: EXIT.unavailable,
  DEADLINE_EXCEEDED: EXIT.unavailable,
  // A service answered something we cannot classify: the service's trouble, worth a retry later.
  UNKNOWN: EXIT.unavailable,
  CANCELLED: EXIT.failure,
  DATA_LOSS: EXIT.failure,
  INTERNAL: EXIT.failure,
};

/**
 * Where the CLI exits other than by the kind. A malformed or unwritable local file is
 * FAILED_PRECONDITION like an immutable tag, but the user fixes a file, not the registry.
 */
export const EXIT_OVERRIDES: Readonly<Partial<Record<CliErrorCode, ExitStatus>>> = {
  AR_AUTH_DOCKER_CONFIG_MALFORMED: EXIT.localFile,
  AR_AUTH_DOCKER_CONFIG_IO: EXIT.localFile,
  AR_REGISTRY_ARCHIVE_INVALID: EXIT.localFile,
  AR_REGISTRY_IO: EXIT.localFile,
  // Another emulator's key file is where this one would write: the user moves or removes a file.
  AR_EMULATOR_KEY_FILE_EXISTS: EXIT.localFile,
};

/**
 * The exit status of an error, or undefined when it is not an ArError with a kind (a bug, or a
 * plugin's unclassified error): the caller then prints the stack and exits 1.
 */
export function exitStatusOf(error: unknown): ExitStatus | undefined {
  if (!isArError(error)) return undefined;
  const override = (EXIT_OVERRIDES as Record<string, ExitStatus | undefined>)[error.code];
  const kind = errorKind(error);
  return override ?? (kind === undefined ? undefined : EXIT_BY_KIND[kind]);
}
