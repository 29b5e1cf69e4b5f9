import { spawn } from 'node:child_process';

export interface RunOptions {
  /** The whole environment of the child. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the child's stdin, which is then closed. Default: stdin is closed at once. */
  input?: string | Uint8Array;
  /** Kills the child (SIGKILL) after this long. Default 120 000 ms. */
  timeoutMs?: number;
}

export interface RunResult {
  command: string;
  args: string[];
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(readonly result: RunResult) {
    const how = result.timedOut
      ? 'timed out'
      : result.code === null
        ? `was killed by ${result.signal}`
        : `exited with ${result.code}`;
    const tail = (text: string) => text.trim().split('\n').slice(-20).join('\n');
    super(
      `\`${[result.command, ...result.args].join(' ')}\` ${how}` +
        (result.stderr.trim() === '' ? '' : `\n--- stderr (tail) ---\n${tail(result.stderr)}`) +
        (result.stdout.trim() === '' ? '' : `\n--- stdout (tail) ---\n${tail(result.stdout)}`),
    );
  }
}

/**
 * Runs a command and captures its output. Resolves whatever the exit status (check `code`);
 * rejects only when it cannot be started (e.g. not on PATH).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {}); // a child that exits without reading its stdin
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run \`${command}\`: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        command,
        args: [...args],
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
    child.stdin.end(options.input);
  });
}

/** Like `runCommand`, but rejects with a `CommandError` (showing stderr) unless it exits 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) throw new CommandError(result);
  return result;
}
