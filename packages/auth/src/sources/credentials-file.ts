import { readFile } from 'node:fs/promises';
import { ArAuthError, sourceAbsent } from '../errors.js';

/** The Google credential file types google-auth-library understands. */
export type CredentialsFileType =
  | 'service_account'
  | 'authorized_user'
  | 'external_account'
  | 'external_account_authorized_user'
  | 'impersonated_service_account';

export interface CredentialsFile {
  path: string;
  type: CredentialsFileType;
  json: Record<string, unknown>;
  text: string;
  /** The identity the file names, when it names one. */
  account?: string;
}

const TYPES = new Set<string>([
  'service_account',
  'authorized_user',
  'external_account',
  'external_account_authorized_user',
  'impersonated_service_account',
]);

/**
 * Reads a Google credentials file. Missing → absent (the chain moves on); unreadable, not JSON or
 * of an unknown type → broken, naming the file and what to do (never its content: it holds keys).
 */
export async function readCredentialsFile(path: string, namedBy: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw sourceAbsent(`${namedBy} ${path} does not exist`);
    throw new ArAuthError(
      'AR_AUTH_SOURCE_BROKEN',
      `Cannot read the credentials file ${path} (${code ?? 'error'}), named by ${namedBy}. Check its permissions, or point ${namedBy} at a readable file.`,
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ArAuthError(
      'AR_AUTH_SOURCE_BROKEN',
      `The credentials file ${path} (named by ${namedBy}) is not valid JSON. Download the key again, or run \`gcloud auth application-default login\`.`,
    );
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof json !== 'object' || json === null || typeof type !== 'string' || !TYPES.has(type)) {
    throw new ArAuthError(
      'AR_AUTH_SOURCE_BROKEN',
      `The credentials file ${path} (named by ${namedBy}) has no known "type" (expected one of ${[...TYPES].join(', ')}).`,
    );
  }
  const record = json as Record<string, unknown>;
  const account =
    stringField(record, 'client_email') ?? impersonationTarget(record) ?? stringField(record, 'account');
  return { path, type: type as CredentialsFileType, json: record, text, ...(account ? { account } : {}) };
}

function stringField(json: Record<string, unknown>, key: string): string | undefined {
  const value = json[key];
  return typeof value === 'string' && value ? value : undefined;
}

/** `…/serviceAccounts/NAME@PROJECT.iam.gserviceaccount.com:generateAccessToken` → the email. */
function impersonationTarget(json: Record<string, unknown>): string | undefined {
  const url = stringField(json, 'service_account_impersonation_url');
  return url?.match(/serviceAccounts\/([^/:]+):generateAccessToken/)?.[1];
}
