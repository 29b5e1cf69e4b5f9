/**
 * The one error base of the toolkit. Code is stable and machine-matched
 * (`AR_<AREA>_<REASON>`); the message is for people and says what to do next.
 * Match on `code`, never on message text.
 */
export class ArError<Code extends string = string> extends Error {
  readonly code: Code;
  /** True when repeating the same operation unchanged may succeed (a network blip, a 503). */
  readonly retryable: boolean;

  constructor(code: Code, message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * True when `error` is an ArError (from any copy of this package: bundled apps may hold
 * their own), optionally with the given code.
 */
export function isArError<Code extends string>(error: unknown, code?: Code): error is ArError<Code> {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; retryable?: unknown };
  if (typeof candidate.code !== 'string' || !candidate.code.startsWith('AR_')) return false;
  if (typeof candidate.retryable !== 'boolean') return false;
  return code === undefined || candidate.code === code;
}

export { closestMatch } from './suggest.js';
