import { readFileSync } from 'node:fs';
import type { ConfigIssue } from './errors.js';
import { parseJsonObject } from './json-text.js';
import type { ConfigFileLocation } from './locate.js';

export type ReadResult = { values: Record<string, unknown> } | { issue: ConfigIssue } | { absent: true };

/** Reads and parses the file; problems come back as issues with a line and column. */
export function readConfigFile(location: ConfigFileLocation): ReadResult {
  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !location.explicit) return { absent: true };
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    return {
      issue: {
        kind: 'unreadable-file',
        path: 'file',
        message: `config file ${location.path} ${reason}; create it or point ${location.namedBy} at an existing file`,
        source: location.namedBy,
      },
    };
  }
  const parsed = parseJsonObject(text);
  if ('error' in parsed) {
    return {
      issue: {
        kind: 'malformed-file',
        path: 'file',
        message: `not valid JSON at ${parsed.error}`,
        source: location.path,
      },
    };
  }
  return { values: parsed.value };
}
