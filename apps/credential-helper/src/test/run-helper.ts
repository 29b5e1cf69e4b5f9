import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@ar/test-support';
import { onTestFinished } from 'vitest';

/** The built helper: tests run the file users run (`npm test` builds it first). */
export const HELPER = fileURLToPath(new URL('../../dist/docker-credential-gar.cjs', import.meta.url));

export interface HelperRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker-credential-gar ARGS` with `input` on stdin, in a clean environment plus `env`. */
export async function runHelper(
  args: string[],
  input: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<HelperRun> {
  const { code, stdout, stderr } = await runCommand(process.execPath, [...nodeArgs, HELPER, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    input,
  });
  return { status: code, stdout, stderr };
}

/**
 * A temp HOME with the XDG dirs inside it; `env` points every gar path there. Call it in a
 * test: the directory goes when the test finishes, passed or failed.
 */
export function tempUser(): { home: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'ar-helper-'));
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
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
