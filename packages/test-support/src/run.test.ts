import { describe, expect, it } from 'vitest';
import { CommandError, runChecked, runCommand } from './run.js';

const node = process.execPath;

describe('runCommand', () => {
  it('captures stdout, stderr and the exit code, and feeds stdin', async () => {
    const result = await runCommand(
      node,
      [
        '-e',
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log(s.toUpperCase());console.error("e");process.exit(3)})',
      ],
      { input: 'hello' },
    );
    expect(result).toMatchObject({
      code: 3,
      signal: null,
      stdout: 'HELLO\n',
      stderr: 'e\n',
      timedOut: false,
    });
  });

  it('passes the environment and working directory', async () => {
    const result = await runCommand(node, ['-e', 'console.log(process.env.RUN_TEST_X, process.cwd())'], {
      env: { RUN_TEST_X: 'x1' },
      cwd: '/',
    });
    expect(result.stdout).toBe('x1 /\n');
  });

  it('kills a command that runs over its time', async () => {
    const result = await runCommand(node, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 200 });
    expect(result).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true });
  });

  it('rejects when the command cannot be started', async () => {
    await expect(runCommand('ar-no-such-command-anywhere', [])).rejects.toThrow(
      /Cannot run `ar-no-such-command/,
    );
  });
});

describe('runChecked', () => {
  it('resolves on exit 0 and throws a CommandError showing stderr otherwise', async () => {
    expect((await runChecked(node, ['-e', 'console.log("fine")'])).stdout).toBe('fine\n');
    const failure = runChecked(node, ['-e', 'console.error("it broke"); process.exit(2)']);
    await expect(failure).rejects.toBeInstanceOf(CommandError);
    await expect(failure).rejects.toThrow(/exited with 2[\s\S]*it broke/);
  });
});
