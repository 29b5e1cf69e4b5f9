import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run.js';

/** Google's gcloud is on some machines of this kind, not all (it is no Debian package). */
export const gcloudInstalled = (process.env.PATH ?? '')
  .split(delimiter)
  .some((dir) => existsSync(join(dir, 'gcloud')));

/**
 * Checks that need gcloud: registered where it is installed; elsewhere one test prints a loud line
 * saying how many checks did not run (never a silent skip) and proves gcloud really cannot run.
 */
export function describeWithGcloud(title: string, checks: number, body: () => void): void {
  if (gcloudInstalled) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    it('needs gcloud, which is not installed here, so its checks did not run', async () => {
      console.warn(
        `\n!!! gcloud is not installed: ${checks} gcloud checks (${title}) DID NOT RUN (install the Google Cloud SDK to run them) !!!\n`,
      );
      const probe = await runCommand('gcloud', ['--version'], { timeoutMs: 30_000 }).catch(
        (error: Error) => error,
      );
      expect(probe instanceof Error || probe.code !== 0).toBe(true);
    });
  });
}
