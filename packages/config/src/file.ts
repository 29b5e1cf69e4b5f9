import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { ConfigIssue } from './errors.js';
import { isPlainObject } from './layers.js';

export interface ConfigFileLocation {
  path: string;
  /** Named by --config or GAR_CONFIG: it must exist. The default location may be absent. */
  explicit: boolean;
  namedBy: string;
}

export function locateConfigFile(
  explicit: string | undefined,
  explicitSource: string,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): ConfigFileLocation {
  if (explicit) return { path: explicit, explicit: true, namedBy: explicitSource };
  if (env.GAR_CONFIG) return { path: env.GAR_CONFIG, explicit: true, namedBy: 'GAR_CONFIG' };
  const configHome = env.XDG_CONFIG_HOME || join(homeDir, '.config');
  return { path: join(configHome, 'gar', 'config.json'), explicit: false, namedBy: 'default location' };
}

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
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const first = errors[0];
  if (first || !isPlainObject(value)) {
    const where = first ? lineAndColumn(text, first.offset) : { line: 1, column: 1 };
    const what = first ? printParseErrorCode(first.error) : 'the top level must be a JSON object';
    return {
      issue: {
        kind: 'malformed-file',
        path: 'file',
        message: `not valid JSON at line ${where.line}, column ${where.column}: ${what}`,
        source: location.path,
      },
    };
  }
  return { values: value };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
