import { ArError, type ErrorKind } from '@ar/errors';

export type ConfigErrorCode = 'AR_CONFIG_INVALID';

/** The kind of every code: a new code does not compile until it is placed here. */
export const CONFIG_ERROR_KINDS: Readonly<Record<ConfigErrorCode, ErrorKind>> = {
  AR_CONFIG_INVALID: 'INVALID_ARGUMENT',
};

export type ConfigIssueKind =
  | 'invalid-value'
  | 'unknown-key'
  | 'malformed-file'
  | 'unreadable-file'
  | 'unknown-profile';

/** One problem, located: the key, what is wrong, and which source supplied the value. */
export interface ConfigIssue {
  kind: ConfigIssueKind;
  /** Dotted key path (`transfer.concurrency`), or `profile` / `file` for problems outside the keys. */
  path: string;
  message: string;
  /** A file path, an environment variable name, a flag, or "default". */
  source: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message} (from ${issue.source})`;
}

/** Every problem found while resolving the config, reported at once. */
export class ArConfigError extends ArError<ConfigErrorCode> {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      'AR_CONFIG_INVALID',
      `Invalid configuration (${count}):\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}\n` +
        'Fix the values named above; every key is listed in the @ar/config README and schema.json.',
      { kind: CONFIG_ERROR_KINDS.AR_CONFIG_INVALID },
    );
    this.issues = issues;
  }
}
