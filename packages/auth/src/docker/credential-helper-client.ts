import type { RegistryCredential } from '../credential.js';
import { ArAuthError } from '../errors.js';

/** Docker's own answer for "no credentials here", which every helper prints. */
const NOT_FOUND = 'credentials not found in native keychain';

/**
 * Asks a Docker credential helper (`docker-credential-NAME get`) for a registry's credentials,
 * by the docker-credential-helpers protocol. Not found → undefined.
 */
export async function getFromCredentialHelper(
  helper: string,
  serverUrl: string,
  signal?: AbortSignal,
): Promise<RegistryCredential | undefined> {
  const program = `docker-credential-${helper}`;
  // Loaded here: child_process (and the net and dgram modules under it) costs a credential
  // helper's warm start several milliseconds it never needs.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      reject(
        new ArAuthError(
          'AR_AUTH_CREDENTIAL_HELPER_FAILED',
          `Docker's config names the credential helper "${helper}" for ${serverUrl}, but ${program} could not be run (${(error as NodeJS.ErrnoException).code ?? error.message}). Install it, or remove it from config.json.`,
          { cause: error },
        ),
      );
    });
    child.on('close', (code) => {
      if (code !== 0) {
        if (stdout.includes(NOT_FOUND) || stderr.includes(NOT_FOUND)) return resolve(undefined);
        // Helpers print their error on stdout; it names the problem, not the secret.
        const said = (stdout.trim() || stderr.trim()).split('\n', 1)[0];
        return reject(
          new ArAuthError(
            'AR_AUTH_CREDENTIAL_HELPER_FAILED',
            `${program} get failed for ${serverUrl} (exit ${code}): ${said}`,
          ),
        );
      }
      try {
        const answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
        if (typeof answer.Username !== 'string' || typeof answer.Secret !== 'string')
          throw new Error('missing fields');
        resolve({ username: answer.Username, password: answer.Secret });
      } catch {
        reject(
          new ArAuthError(
            'AR_AUTH_CREDENTIAL_HELPER_FAILED',
            `${program} get answered for ${serverUrl} with something other than {"Username","Secret"} JSON.`,
          ),
        );
      }
    });
    // A helper may exit without reading its input (or never start): the pipe then breaks, and
    // its exit status and output, handled above, are the answer.
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
}
