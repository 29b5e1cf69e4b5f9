// The docker-credential-helpers wire protocol, as Docker, BuildKit and go-containerregistry speak it.

/** Docker falls back (anonymous, another store) only on exactly this answer. */
export const NOT_FOUND = 'credentials not found in native keychain';

export interface HelperAnswer {
  ServerURL: string;
  Username: string;
  Secret: string;
}

/** Reads stdin to EOF, trimmed: Docker writes the server URL with or without a newline. */
export async function readInput(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  return text.trim();
}

/** A failure as the protocol expects it: one line on stdout, exit status 1. */
export class HelperFailure extends Error {}
