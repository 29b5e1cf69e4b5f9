/**
 * What kind of failure an error is, in Google's canonical names (google.rpc.Code), so that every
 * app can decide once per kind what to do: an exit status, an HTTP status. Only the kinds some
 * code of the toolkit needs are listed; a new one is added when a code truly needs it.
 */
export const ERROR_KINDS = [
  /** The caller's input is wrong whatever the state of the world: a bad name, flag or value. */
  'INVALID_ARGUMENT',
  /** A value is outside the range that exists (a byte range past the end). */
  'OUT_OF_RANGE',
  /** No credential, or one that was refused. */
  'UNAUTHENTICATED',
  /** The identity is known and lacks a permission. */
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  /** The state forbids it until someone changes the state: an immutable tag, a malformed file. */
  'FAILED_PRECONDITION',
  /** A quota or rate limit: retry later, slower. */
  'RESOURCE_EXHAUSTED',
  /** Unreachable or overloaded: retry later. */
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  /** The caller cancelled the operation. */
  'CANCELLED',
  /** Bytes do not match what they claim to be (a digest, a size). */
  'DATA_LOSS',
  /** A service answered with an error we cannot classify. */
  'UNKNOWN',
  /** A bug, or a failure of a component that says nothing more. */
  'INTERNAL',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

const KNOWN_KINDS: ReadonlySet<string> = new Set(ERROR_KINDS);

export interface ArErrorOptions extends ErrorOptions {
  /** True when repeating the same operation unchanged may succeed (a network blip, a 503). */
  retryable?: boolean;
  /** What kind of failure this is; a package's error class sets it from its code table. */
  kind?: ErrorKind;
}

/**
 * The one error base of the toolkit. Code is stable and machine-matched
 * (`AR_<AREA>_<REASON>`); the message is for people and says what happened.
 * Match on `code` or `kind`, never on message text.
 */
export class ArError<Code extends string = string> extends Error {
  readonly code: Code;
  /** Undefined only for an error whose thrower did not classify it (a plugin's, say). */
  readonly kind: ErrorKind | undefined;
  /** True when repeating the same operation unchanged may succeed (a network blip, a 503). */
  readonly retryable: boolean;

  constructor(code: Code, message: string, options: ArErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = options.kind;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * True when `error` is an ArError (from any copy of this package: bundled apps may hold
 * their own), optionally with the given code. An older copy's errors carry no kind, a newer
 * copy's may carry a kind this one does not know: read it with {@link errorKind}.
 */
export function isArError<Code extends string>(error: unknown, code?: Code): error is ArError<Code> {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; retryable?: unknown; kind?: unknown };
  if (typeof candidate.code !== 'string' || !candidate.code.startsWith('AR_')) return false;
  if (typeof candidate.retryable !== 'boolean') return false;
  if (candidate.kind !== undefined && typeof candidate.kind !== 'string') return false;
  return code === undefined || candidate.code === code;
}

/**
 * The kind of an ArError (from any copy of this package), or undefined when it has none or one
 * this copy does not know: the caller then treats it as it treats an unclassified error.
 */
export function errorKind(error: unknown): ErrorKind | undefined {
  if (!isArError(error)) return undefined;
  const kind: unknown = error.kind;
  return typeof kind === 'string' && KNOWN_KINDS.has(kind) ? (kind as ErrorKind) : undefined;
}

export { closestMatch } from './suggest.js';
