import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Global setup of every package's vitest run: the run gets a temp dir of its own (TMPDIR, which
 * `os.tmpdir()` reads, so test workers and the emulators and clients they start put their temp
 * files there), and the run fails when a test left anything in it. A private dir, not a
 * before/after listing of /tmp: turbo runs every package's tests at once, and each would
 * otherwise see the others' directories come and go.
 */
export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ar-vitest-'));
  // TMPDIR is the run's own, set here: no task's output depends on the value turbo would see.
  const env = process.env;
  const previous = env.TMPDIR;
  env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete env.TMPDIR;
    else env.TMPDIR = previous;
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      // Thrown from a teardown, an error is only logged (the exit status stays 0): say it, and fail.
      process.stderr.write(
        `\nFAIL: tests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind: ${left.sort().join(', ')}.\n` +
          'Remove what a test creates (afterEach/afterAll, or a finally block), also when it fails.\n',
      );
      process.exitCode = 1;
    }
  };
}
