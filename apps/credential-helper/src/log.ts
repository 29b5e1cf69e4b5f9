import { appendFileSync } from 'node:fs';

/**
 * The opt-in log (`helper.log`, GAR_HELPER_LOG): one line per call, for "which source answered?".
 * Only the fields named here are ever written, so a token cannot slip in; `redact` also removes any
 * secret from free text (an error message) before it is written.
 */
export interface LogLine {
  command: string;
  host?: string;
  outcome: string;
  path?: 'warm' | 'cold';
  source?: string;
  account?: string;
  expiresAt?: number;
  error?: string;
  ms: number;
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('<redacted>');
  // Google access tokens and JWTs, wherever they come from.
  return out.replace(/ya29\.[\w.-]+/g, '<redacted>').replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<redacted>');
}

export function writeLog(file: string | undefined, line: LogLine, secrets: readonly string[]): void {
  if (!file) return;
  const fields = Object.entries({ time: new Date().toISOString(), ...line })
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${JSON.stringify(key === 'expiresAt' ? new Date(value as number).toISOString() : value)}`,
    );
  try {
    appendFileSync(file, `${redact(fields.join(' '), secrets)}\n`, { mode: 0o600 });
  } catch {
    // The log is a diagnostic aid: failing to write it must not fail the call Docker made.
  }
}
