import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built helper: tests run the file users run (`npm test` builds it first). */
export const HELPER = fileURLToPath(new URL('../../dist/docker-credential-gar.cjs', import.meta.url));

export interface HelperRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker-credential-gar ARGS` with `input` on stdin, in a clean environment plus `env`. */
export function runHelper(
  args: string[],
  input: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, HELPER, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A temp HOME with the XDG dirs inside it; `env` points every gar path there. */
export function tempUser(): { home: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'ar-helper-'));
  mkdirSync(join(home, '.docker'), { recursive: true });
  return {
    home,
    env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
  };
}

export function writeJson(path: string, value: unknown, mode = 0o600): void {
  writeFileSync(path, JSON.stringify(value, null, 2));
  chmodSync(path, mode);
}
