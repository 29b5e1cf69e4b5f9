import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `text` to `file` whole or not at all, private (0600): a new temp file beside it, synced,
 * then renamed over the name. rename replaces whatever is at `file`, a symbolic link included, and
 * never writes through it, so a link planted in the cache cannot make us clobber its target.
 * (write-file-atomic resolves links first and writes the target: not used for cache files.)
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    // `wx` (O_CREAT | O_EXCL) creates a new file or fails; it does not follow a link either.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
