import { DockerError, type DockerErrorCode } from './errors.js';

export type EngineOperation =
  | 'push'
  | 'pull'
  | 'load'
  | 'save'
  | 'tag'
  | 'remove'
  | 'inspect'
  | 'list'
  | 'ping';

// The registry's refusals as dockerd and Podman word them (distribution error codes, Docker's
// "denied: requested access to the resource is denied", a token server's 401).
const DENIED =
  /\b(denied|unauthorized|authentication required|forbidden|insufficient_scope|no basic auth credentials|401 Unauthorized|403 Forbidden)\b/i;
const NOT_FOUND =
  /\b(manifest unknown|not found|name unknown|does not exist|no such image|repository .* not found|manifest for .* not found)\b/i;

const FAILED: Partial<Record<EngineOperation, DockerErrorCode>> = {
  push: 'AR_DOCKER_PUSH_FAILED',
  pull: 'AR_DOCKER_PULL_FAILED',
  load: 'AR_DOCKER_LOAD_FAILED',
  save: 'AR_DOCKER_SAVE_FAILED',
};

/**
 * The typed error for a failure the engine reported in words (an `errorDetail` in its stream,
 * or an error answer's message). The engine's message is kept verbatim; the code says what
 * kind of failure it is, so callers never match on the text.
 */
export function classifyEngineFailure(
  operation: EngineOperation,
  subject: string,
  engineMessage: string,
  status?: number,
): DockerError {
  const details = { engineMessage, ...(status !== undefined ? { status } : {}) };
  if ((operation === 'push' || operation === 'pull') && DENIED.test(engineMessage))
    return new DockerError(
      'AR_DOCKER_REGISTRY_DENIED',
      `The registry refused the ${operation} of ${subject}: ${engineMessage}. Check that the identity used may ${operation} this repository (roles/artifactregistry.${operation === 'push' ? 'writer' : 'reader'} on Artifact Registry) and that the repository exists.`,
      details,
    );
  if (status === 404 || (operation !== 'push' && NOT_FOUND.test(engineMessage)))
    return new DockerError(
      'AR_DOCKER_IMAGE_NOT_FOUND',
      operation === 'pull'
        ? `Cannot pull ${subject}: ${engineMessage}. Check the name and tag.`
        : `The engine has no image ${subject} (${engineMessage}). List what it has with \`docker images\`.`,
      details,
    );
  if (status === 409)
    return new DockerError(
      'AR_DOCKER_IMAGE_CONFLICT',
      `The engine refused to ${operation} ${subject}: ${engineMessage}. Remove the containers using it first, or remove by tag rather than by ID.`,
      details,
    );
  if (status === 400)
    return new DockerError(
      'AR_DOCKER_INVALID_ARGUMENT',
      `The engine refused the ${operation} of ${subject} as invalid: ${engineMessage}.`,
      details,
    );
  const code = FAILED[operation] ?? 'AR_DOCKER_ENGINE_ERROR';
  return new DockerError(
    code,
    `The engine failed to ${operation} ${subject}: ${engineMessage}. See the engine's log for more; run it again if the cause was transient.`,
    { ...details, retryable: status !== undefined && status >= 500 },
  );
}

export function abortedError(operation: EngineOperation, subject: string, cause?: unknown): DockerError {
  return new DockerError(
    'AR_DOCKER_ABORTED',
    `The ${operation} of ${subject} was cancelled; the engine connection was closed, which stops the engine's work.`,
    cause === undefined ? {} : { cause },
  );
}

const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'EPERM',
  'ENOTSOCK',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPROTO',
]);

interface DockerodeError {
  statusCode?: number;
  json?: { message?: string } | string | null;
  reason?: string;
  code?: string;
  name?: string;
  message?: string;
}

/**
 * Maps what dockerode throws (an HTTP error answer, a connection error, an abort) to a typed
 * error. `where` names the engine address and what was looked at, for the "unreachable" message.
 */
export function fromEngineError(
  error: unknown,
  context: { operation: EngineOperation; subject: string; where: string; signal?: AbortSignal | undefined },
): DockerError {
  if (error instanceof DockerError) return error;
  const { operation, subject, where, signal } = context;
  const e = (error ?? {}) as DockerodeError;
  if (signal?.aborted || e.name === 'AbortError' || e.code === 'ABORT_ERR')
    return abortedError(operation, subject, error);
  if (typeof e.statusCode === 'number') {
    const body = e.json;
    const engineMessage =
      (typeof body === 'object' && body !== null && typeof body.message === 'string'
        ? body.message
        : undefined) ??
      (typeof body === 'string' && body.trim() !== '' ? body.trim() : undefined) ??
      httpErrorCause(e.message) ??
      e.reason ??
      `HTTP ${e.statusCode}`;
    return classifyEngineFailure(operation, subject, engineMessage.trim(), e.statusCode);
  }
  if (e.code !== undefined && UNREACHABLE_CODES.has(e.code)) {
    const hint =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? 'Permission denied on the socket: run as a user in the docker group (or root), or point DOCKER_HOST at a socket you may use (rootless Docker, `podman system service`).'
        : 'Start the engine (dockerd, Docker Desktop, or `podman system service --time=0 unix:///PATH`), or set DOCKER_HOST (docker.host in the gar config) to where it listens.';
    return new DockerError(
      'AR_DOCKER_ENGINE_UNREACHABLE',
      `No Docker engine answers at ${where} (${e.code}: ${e.message ?? ''}). ${hint}`,
      { cause: error, retryable: e.code !== 'EACCES' && e.code !== 'EPERM' },
    );
  }
  return new DockerError(
    'AR_DOCKER_ENGINE_ERROR',
    `The ${operation} of ${subject} failed talking to the engine at ${where}: ${e.message ?? String(error)}.`,
    { cause: error },
  );
}

/** docker-modem's message for an error answer: "(HTTP code 404) no such image - CAUSE ". */
function httpErrorCause(message: string | undefined): string | undefined {
  const match = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(message ?? '');
  const cause = match?.[1]?.trim();
  return cause ? cause : undefined;
}
