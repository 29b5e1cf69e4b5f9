import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunResult, runCommand } from '@ar/test-support';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

export interface RunningBin {
  url: string;
  host: string;
  pid: number;
  child: ChildProcess;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Peak resident memory of the emulator process so far, in bytes (Linux VmHWM). */
  peakRss(): Promise<number>;
}

/** Starts `gar-emulator start` (the built bin) and waits for its ready file. */
export async function startBin(args: string[], readyFile: string): Promise<RunningBin> {
  await stat(CLI).catch(() => {
    throw new Error(`${CLI} is missing: build @ar/emulator first (npm run build -w @ar/emulator).`);
  });
  const child = spawn(process.execPath, [CLI, 'start', '--ready-file', readyFile, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  let ready: { url: string } | undefined;
  while (ready === undefined) {
    ready = await readFile(readyFile, 'utf8').then(
      (text) => JSON.parse(text) as { url: string },
      () => undefined,
    );
    if (ready !== undefined) break;
    if (child.exitCode !== null) throw new Error(`gar-emulator exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`gar-emulator not ready after 30 s: ${stderr}`);
    // Polling a file the child writes atomically once it serves: a readiness check, not a timing guess.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url: ready.url,
    host: new URL(ready.url).host,
    pid: child.pid!,
    child,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async peakRss() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
      return kib * 1024;
    },
  };
}

/** The docker CLI against the private dockerd of the e2e env. */
export function docker(
  dockerHost: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<RunResult> {
  const { DOCKER_CONTEXT: _context, ...inherited } = process.env;
  return runCommand('docker', args, {
    env: { ...inherited, DOCKER_HOST: dockerHost, ...env },
    timeoutMs: 120_000,
    ...(input === undefined ? {} : { input }),
  });
}

export function ok(result: RunResult): RunResult {
  if (result.code !== 0) {
    throw new Error(
      `${result.command} ${result.args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result;
}

export function skopeo(args: string[]): Promise<RunResult> {
  return runCommand('skopeo', args, { timeoutMs: 300_000 });
}
