import { access, constants, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ArAuthError, sourceAbsent } from '../errors.js';
import type { TokenSource } from '../source.js';

/**
 * The gcloud CLI's own credentials (`gcloud config config-helper --format=json`): token and
 * expiry of the active account. Opt-in in `auth.sources`, since each call costs a Python start.
 */
export function gcloudSource(options: { command?: string } = {}): TokenSource {
  const command = options.command ?? 'gcloud';
  return {
    name: 'gcloud',
    async detect({ config, signal }) {
      const executable = await findExecutable(command);
      if (!executable) throw sourceAbsent(`${command} is not installed (not on PATH)`);
      // The active account, read from gcloud's files so the cache key changes when it does.
      const { account, files } = await activeAccount(config.auth.gcloudConfigDir);
      return {
        source: 'gcloud',
        ...(account ? { account } : {}),
        files,
        identity: `gcloud:${config.auth.gcloudConfigDir}:${account ?? ''}`,
        origin: executable,
        cacheable: true,
        fetchToken: async () => {
          const output = await run(executable, ['config', 'config-helper', '--format=json'], signal);
          const parsed = JSON.parse(output) as {
            credential?: { access_token?: string; token_expiry?: string };
          };
          const token = parsed.credential?.access_token;
          if (!token) {
            throw new ArAuthError(
              'AR_AUTH_TOKEN_REFUSED',
              'gcloud returned no access token. Run `gcloud auth login`.',
            );
          }
          const expiry = Date.parse(parsed.credential?.token_expiry ?? '');
          return { token, ...(Number.isFinite(expiry) ? { expiresAt: expiry } : {}) };
        },
      };
    },
  };
}

async function findExecutable(command: string): Promise<string | undefined> {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** gcloud's active account, from its files (and which files: the account changes with them). */
async function activeAccount(configDir: string): Promise<{ account: string | undefined; files: string[] }> {
  const pointer = join(configDir, 'active_config');
  const name = (await readFile(pointer, 'utf8').catch(() => '')).trim() || 'default';
  const configuration = join(configDir, 'configurations', `config_${name}`);
  const ini = await readFile(configuration, 'utf8').catch(() => '');
  return { account: ini.match(/^\s*account\s*=\s*(\S+)\s*$/m)?.[1], files: [pointer, configuration] };
}

async function run(executable: string, args: string[], signal: AbortSignal | undefined): Promise<string> {
  // Loaded on use, as in the credential-helper client: the warm paths never spawn anything.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(executable, args, { signal, timeout: 60_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const detail = stderr.trim().split('\n').pop() || error.message;
      reject(
        new ArAuthError(
          'AR_AUTH_TOKEN_REFUSED',
          `gcloud could not give a token: ${detail}. Run \`gcloud auth login\`, or remove "gcloud" from auth.sources.`,
          { cause: error },
        ),
      );
    });
  });
}
