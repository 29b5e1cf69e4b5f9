import { RegistryError, type RegistryErrorCode } from '../errors.js';
import { pickChallenge } from './challenge.js';
import { retryAfterMs } from './retry.js';
import { header, type RegistryResponse } from './types.js';

export interface ErrorContext {
  /** What was being done, for the message: `pull manifest us-docker.pkg.dev/p/r/app:1`. */
  readonly action: string;
  /** `host/repository`, named in permission messages. */
  readonly repository?: string;
  /** Whether the action writes: decides which role a permission message names. */
  readonly write?: boolean;
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** Reads (at most 64 KiB of) an error response and turns it into a typed error that says what to do. */
export async function responseError(
  response: RegistryResponse,
  context: ErrorContext,
): Promise<RegistryError> {
  let text = '';
  if (response.body) {
    try {
      text = await readLimited(response, 64 * 1024);
    } catch {
      // The status alone still makes a useful error.
    }
  }
  let body: RegistryErrorBody = {};
  try {
    body = JSON.parse(text) as RegistryErrorBody;
  } catch {
    // Not the spec's JSON error body (a proxy's HTML page, say).
  }
  const registryCodes = (body.errors ?? []).map((e) => e.code ?? '').filter(Boolean);
  const serverMessage = (body.errors ?? [])
    .map((e) => e.message)
    .filter(Boolean)
    .join('; ')
    .slice(0, 500);
  const status = response.status;
  const said = serverMessage ? ` The registry said: ${serverMessage}` : '';
  const retryAfter = retryAfterMs(header(response, 'retry-after'));
  const details = {
    status,
    registryCodes,
    retryAfterSeconds: retryAfter === undefined ? undefined : retryAfter / 1000,
  };
  const make = (code: RegistryErrorCode, message: string, retryable = false) =>
    new RegistryError(code, message, { ...details, retryable });
  const repo = context.repository ?? 'the repository';
  const role = context.write ? 'roles/artifactregistry.writer' : 'roles/artifactregistry.reader';

  if (status === 401) {
    const challenge = pickChallenge(header(response, 'www-authenticate'));
    if (challenge?.params.error === 'insufficient_scope')
      return make(
        'AR_REGISTRY_DENIED',
        `Permission denied to ${context.action}: the credential may not ${context.write ? 'push to' : 'pull from'} ${repo}. ` +
          `Grant the identity ${role} on the repository (or use a credential that has it).${said}`,
      );
    return make(
      'AR_REGISTRY_UNAUTHORIZED',
      `Not authenticated to ${context.action}: the registry refused the credential even after a fresh token. ` +
        `Check the credentials configured for this registry, or refresh the access token.${said}`,
    );
  }
  // Before DENIED and MANIFEST_INVALID: a registry may refuse a moved immutable tag with 403 as
  // well as 400. Artifact Registry says MANIFEST_INVALID "cannot update tag T. The repository has
  // enabled tag immutability"; ECR "... cannot be overwritten because the tag is immutable".
  if (
    (status === 400 || status === 403 || status === 409) &&
    (/immutab(le|ility)/i.test(serverMessage) || registryCodes.includes('TAG_IMMUTABLE'))
  )
    return make('AR_REGISTRY_TAG_IMMUTABLE', `Cannot ${context.action}: the tag is immutable.${said}`);
  if (status === 403 || registryCodes.includes('DENIED'))
    return make(
      'AR_REGISTRY_DENIED',
      `Permission denied to ${context.action} in ${repo}. Grant the identity ${role} on the repository, ` +
        `or check that the repository exists.${said}`,
    );
  if (registryCodes.includes('DIGEST_INVALID') || registryCodes.includes('SIZE_INVALID'))
    return make(
      'AR_REGISTRY_DIGEST_MISMATCH',
      `The registry refused to ${context.action}: the bytes it received do not match the digest or size. ` +
        `The source is corrupt or changed during the transfer; nothing was stored.${said}`,
    );
  if (registryCodes.includes('NAME_UNKNOWN'))
    return make(
      'AR_REGISTRY_NAME_UNKNOWN',
      `Cannot ${context.action}: repository ${repo} does not exist. Create it first or fix the name.${said}`,
    );
  if (status === 404 && registryCodes.includes('BLOB_UNKNOWN'))
    return make(
      'AR_REGISTRY_BLOB_NOT_FOUND',
      `Cannot ${context.action}: the blob does not exist in ${repo}.${said}`,
    );
  if (status === 404)
    return make(
      'AR_REGISTRY_MANIFEST_NOT_FOUND',
      `Cannot ${context.action}: not found in ${repo}. Check the tag or digest.${said}`,
    );
  if (
    status === 413 ||
    (status === 400 && registryCodes.some((c) => c.startsWith('MANIFEST') || c === 'TAG_INVALID'))
  )
    return make('AR_REGISTRY_MANIFEST_INVALID', `The registry refused to ${context.action}.${said}`);
  if (status === 408 || status === 429 || status >= 500)
    return make(
      'AR_REGISTRY_UNAVAILABLE',
      `The registry answered HTTP ${status} to ${context.action}, and retries ran out. It is overloaded or failing; retry later.${said}`,
      true,
    );
  return make('AR_REGISTRY_HTTP', `Unexpected HTTP ${status} to ${context.action}.${said}`);
}

async function readLimited(response: RegistryResponse, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    if (size < limit) chunks.push(buffer.subarray(0, limit - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}
