import { ArError, type ErrorKind } from '@ar/errors';
import { quote } from './display.js';

/**
 * Longest input any parser looks at. A reference Docker can actually pull is far shorter: a DNS
 * host is at most 253 characters, the path 255, the tag 128 and a sha512 digest 135. Rejecting
 * longer input up front keeps every parse bounded whatever a caller feeds in.
 */
export const MAX_REFERENCE_LENGTH = 1024;

/** Every code an {@link ArImageRefError} can carry, one per kind of failure. */
export const IMAGE_REF_ERROR_CODES = [
  'AR_IMAGE_REF_NOT_A_STRING',
  'AR_IMAGE_REF_EMPTY',
  'AR_IMAGE_REF_TOO_LONG',
  'AR_IMAGE_REF_INVALID_NAME',
  'AR_IMAGE_REF_INVALID_COMPONENT',
  'AR_IMAGE_REF_UPPERCASE',
  'AR_IMAGE_REF_NAME_TOO_LONG',
  'AR_IMAGE_REF_INVALID_DOMAIN',
  'AR_IMAGE_REF_INVALID_TAG',
  'AR_IMAGE_REF_INVALID_DIGEST',
  'AR_IMAGE_REF_UNSUPPORTED_DIGEST',
  'AR_IMAGE_REF_BARE_IDENTIFIER',
  'AR_IMAGE_REF_NOT_CANONICAL',
  'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY',
  'AR_IMAGE_REF_INVALID_LOCATION',
  'AR_IMAGE_REF_INVALID_PROJECT_ID',
  'AR_IMAGE_REF_INVALID_REPOSITORY_ID',
  'AR_IMAGE_REF_MISSING_REPOSITORY',
  'AR_IMAGE_REF_MISSING_IMAGE',
  'AR_IMAGE_REF_NOT_A_REPOSITORY',
  'AR_IMAGE_REF_MISSING_DEFAULT',
] as const;

export type ImageRefErrorCode = (typeof IMAGE_REF_ERROR_CODES)[number];

/**
 * The kind of every code: a new code does not compile until it is placed here. So far every one
 * is about the caller's input (a configured default included).
 */
export const IMAGE_REF_ERROR_KINDS: Readonly<Record<ImageRefErrorCode, ErrorKind>> = {
  AR_IMAGE_REF_NOT_A_STRING: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_EMPTY: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_TOO_LONG: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_NAME: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_COMPONENT: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_UPPERCASE: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_NAME_TOO_LONG: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_DOMAIN: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_TAG: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_DIGEST: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_UNSUPPORTED_DIGEST: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_BARE_IDENTIFIER: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_NOT_CANONICAL: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_LOCATION: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_PROJECT_ID: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_INVALID_REPOSITORY_ID: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_MISSING_REPOSITORY: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_MISSING_IMAGE: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_NOT_A_REPOSITORY: 'INVALID_ARGUMENT',
  AR_IMAGE_REF_MISSING_DEFAULT: 'INVALID_ARGUMENT',
};

const TITLES: Readonly<Record<ImageRefErrorCode, string>> = {
  AR_IMAGE_REF_NOT_A_STRING: 'Image reference is not a string',
  AR_IMAGE_REF_EMPTY: 'Empty image reference',
  AR_IMAGE_REF_TOO_LONG: 'Image reference too long',
  AR_IMAGE_REF_INVALID_NAME: 'Invalid repository name',
  AR_IMAGE_REF_INVALID_COMPONENT: 'Invalid path component',
  AR_IMAGE_REF_UPPERCASE: 'Uppercase in repository name',
  AR_IMAGE_REF_NAME_TOO_LONG: 'Repository path too long',
  AR_IMAGE_REF_INVALID_DOMAIN: 'Invalid registry host',
  AR_IMAGE_REF_INVALID_TAG: 'Invalid tag',
  AR_IMAGE_REF_INVALID_DIGEST: 'Invalid digest',
  AR_IMAGE_REF_UNSUPPORTED_DIGEST: 'Unsupported digest algorithm',
  AR_IMAGE_REF_BARE_IDENTIFIER: 'Image ID used as a name',
  AR_IMAGE_REF_NOT_CANONICAL: 'Reference not in canonical form',
  AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY: 'Not an Artifact Registry reference',
  AR_IMAGE_REF_INVALID_LOCATION: 'Invalid location',
  AR_IMAGE_REF_INVALID_PROJECT_ID: 'Invalid project ID',
  AR_IMAGE_REF_INVALID_REPOSITORY_ID: 'Invalid repository ID',
  AR_IMAGE_REF_MISSING_REPOSITORY: 'Missing repository',
  AR_IMAGE_REF_MISSING_IMAGE: 'Missing image',
  AR_IMAGE_REF_NOT_A_REPOSITORY: 'Not a repository reference',
  AR_IMAGE_REF_MISSING_DEFAULT: 'Cannot complete from defaults',
};

export interface ImageRefErrorDetails {
  /** The text that was parsed, cut to {@link MAX_REFERENCE_LENGTH} characters. */
  readonly input: string;
  /** Length of the whole input, which `input` may not hold in full. */
  readonly inputLength: number;
  /** The offending part of `input` (may be empty when something is missing). */
  readonly part: string;
  /** Where `part` starts in `input`, in UTF-16 code units. */
  readonly offset: number;
}

/**
 * Why an image reference was rejected. `code` is stable and machine-matched; the message names the
 * offending part, where it is, and what would be valid.
 */
export class ArImageRefError extends ArError<ImageRefErrorCode> implements ImageRefErrorDetails {
  readonly input: string;
  readonly inputLength: number;
  readonly part: string;
  readonly offset: number;

  constructor(code: ImageRefErrorCode, message: string, details: ImageRefErrorDetails) {
    super(code, message, { kind: IMAGE_REF_ERROR_KINDS[code] });
    this.input = details.input;
    this.inputLength = details.inputLength;
    this.part = details.part;
    this.offset = details.offset;
  }
}

/** What the parsers find wrong, before it becomes an error tied to the caller's input. */
export interface Problem {
  readonly code: ImageRefErrorCode;
  readonly start: number;
  readonly end: number;
  /** What would be valid, without a final full stop. */
  readonly rule: string;
  /** The problem is the input as a whole (empty, too long, not text): no part or offset to show. */
  readonly whole?: boolean;
  /** Where the text came from when it is not the parsed reference, e.g. "the default project". */
  readonly origin?: string;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: Problem };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail(
  code: ImageRefErrorCode,
  start: number,
  end: number,
  rule: string,
): { readonly ok: false; readonly problem: Problem } {
  return { ok: false, problem: { code, start, end, rule } };
}

/** Turns a problem found in `input` into the error the caller sees. */
export function errorFor(input: unknown, problem: Problem): ArImageRefError {
  const text = typeof input === 'string' ? input : '';
  const part = text.slice(problem.start, problem.end);
  const title = TITLES[problem.code];
  let message: string;
  if (problem.whole) {
    message = text === '' ? `${title}: ${problem.rule}.` : `${title} ${quote(text)}: ${problem.rule}.`;
  } else if (problem.origin !== undefined) {
    message = `${title} ${quote(part)} (${problem.origin}): ${problem.rule}.`;
  } else {
    // A part that is the whole input is shown once, not twice.
    const shownPart = part === '' ? '' : ` ${quote(part)}`;
    const shownInput = part === text ? '' : ` in ${quote(text)}`;
    message = `${title}${shownPart}${shownInput} at offset ${problem.start}: ${problem.rule}.`;
  }
  return new ArImageRefError(problem.code, message, {
    input: text.length > MAX_REFERENCE_LENGTH ? text.slice(0, MAX_REFERENCE_LENGTH) : text,
    inputLength: text.length,
    part: part.length > MAX_REFERENCE_LENGTH ? part.slice(0, MAX_REFERENCE_LENGTH) : part,
    offset: problem.start,
  });
}

/**
 * Moves a problem found in `prefix + input.slice(from)` back onto `input`, for parsers that
 * complete the input before parsing it (Docker's "docker.io/library/", configured defaults).
 * Positions inside a prefix the caller never wrote point at the start of what they did write.
 */
export function relocate(
  problem: Problem,
  prefixLength: number,
  from: number,
  prefixIsInput: boolean,
): Problem {
  const move = (position: number): number => {
    if (position >= prefixLength) return from + position - prefixLength;
    return prefixIsInput ? position : from;
  };
  return { ...problem, start: move(problem.start), end: Math.max(move(problem.start), move(problem.end)) };
}

/** The checks every public entry point makes before looking at the text. */
export function admit(input: unknown): Problem | undefined {
  if (typeof input !== 'string') {
    const kind = input === null ? 'null' : typeof input;
    return {
      code: 'AR_IMAGE_REF_NOT_A_STRING',
      start: 0,
      end: 0,
      whole: true,
      rule: `expected a string, got ${kind}`,
    };
  }
  if (input.length === 0) {
    return {
      code: 'AR_IMAGE_REF_EMPTY',
      start: 0,
      end: 0,
      whole: true,
      rule: 'write NAME[:TAG][@DIGEST], for example "ubuntu:24.04" or "us-west1-docker.pkg.dev/my-project/my-repo/my-image:1.0"',
    };
  }
  if (input.length > MAX_REFERENCE_LENGTH) {
    return {
      code: 'AR_IMAGE_REF_TOO_LONG',
      start: 0,
      end: input.length,
      whole: true,
      rule: `a reference has at most ${MAX_REFERENCE_LENGTH} characters (host at most 253, path 255, tag 128, digest 135)`,
    };
  }
  return undefined;
}

/** A non-throwing parse: the value, or the error a throwing parse would have thrown. */
export type ImageRefResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ArImageRefError };

/** Admits `input`, runs `scan` on it and ties any problem to the input. */
export function runParser<T>(input: unknown, scan: (text: string) => Parsed<T>): ImageRefResult<T> {
  const rejected = admit(input);
  if (rejected !== undefined) return { ok: false, error: errorFor(input, rejected) };
  const parsed = scan(input as string);
  return parsed.ok ? parsed : { ok: false, error: errorFor(input, parsed.problem) };
}

export function unwrap<T>(result: ImageRefResult<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}
