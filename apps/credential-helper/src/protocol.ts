import { readFileSync, writeSync } from 'node:fs';
// The docker-credential-helpers wire protocol, as Docker, BuildKit and go-containerregistry speak it.

/** Docker falls back (anonymous, another store) only on exactly this answer. */
export const NOT_FOUND = 'credentials not found in native keychain';

export interface HelperAnswer {
  ServerURL: string;
  Username: string;
  Secret: string;
}

/**
 * Reads stdin (file descriptor 0) to EOF, trimmed: Docker writes the server URL with or without a
 * newline. A synchronous read: `process.stdin` would build a socket stream, and loading the
 * modules behind it costs the warm path more than the read itself.
 */
export function readInput(): string {
  try {
    return readFileSync(0, 'utf8').trim();
  } catch (error) {
    // A non-blocking stdin with nothing written yet (a terminal): the same as an empty one.
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return '';
    throw error;
  }
}

/**
 * Writes the answer to stdout (file descriptor 1) synchronously. `process.stdout` would build a
 * stream (a socket, for the pipe Docker reads) and load Node's stream modules, which costs a warm
 * `get` more than everything else it does.
 */
export function writeOutput(text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(1, bytes, done);
    } catch (error) {
      // A non-blocking stdout that is full: let Node's stream queue the rest.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      process.stdout.write(bytes.subarray(done));
      return;
    }
  }
}

/** A failure as the protocol expects it: one line on stdout, exit status 1. */
export class HelperFailure extends Error {
  override name = 'HelperFailure';
}

/**
 * By name, not `instanceof`: the entry file and the lazily imported commands are separate bundles,
 * each with its own copy of the class.
 */
export function isHelperFailure(error: unknown): error is HelperFailure {
  return error instanceof Error && error.name === 'HelperFailure';
}
