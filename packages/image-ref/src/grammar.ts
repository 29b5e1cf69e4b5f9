/**
 * The reference grammar of distribution/reference (regexp.go) as hand-written scanners. Each runs in
 * one pass over its slice, so no input can make it backtrack. A scanner returns the rule the text
 * breaks (what is wrong, then what would be valid) or undefined when the text follows the rule.
 */
import { counted, describeCharAt, quote } from './display.js';
import type { ImageRefErrorCode } from './errors.js';

/** Docker's limit on the repository path (everything after the host). */
export const MAX_PATH_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

/**
 * Digest algorithms Docker registers (go-digest with crypto/sha256 and crypto/sha512 linked in) and
 * the exact number of hex digits each takes.
 */
const DIGEST_HEX_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

const COMPONENT_RULE =
  'a path component is lowercase letters and digits, separated by ".", "_", "__" or a run of "-", and starts and ends with a letter or digit';
const TAG_RULE = `a tag starts with a letter, digit or underscore and has at most ${MAX_TAG_LENGTH} characters [A-Za-z0-9_.-]`;
const DIGEST_RULE =
  'a digest is ALGORITHM:HEX, for example "sha256:" and exactly 64 lowercase hex digits (sha384: 96, sha512: 128)';
const DOMAIN_RULE =
  'a registry host is a DNS name (labels of letters, digits and inner "-", joined by ".") or a bracketed IPv6 address without zone, optionally followed by ":PORT" in digits';

const SLASH = 0x2f;
const COLON = 0x3a;
const DOT = 0x2e;
const HYPHEN = 0x2d;
const UNDERSCORE = 0x5f;
const PLUS = 0x2b;
const PERCENT = 0x25;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isLowerLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isUpperLetter(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

function isLetter(c: number): boolean {
  return isLowerLetter(c) || isUpperLetter(c);
}

function isAlphanumeric(c: number): boolean {
  return isLetter(c) || isDigit(c);
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isLowerHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66);
}

function isWordCharacter(c: number): boolean {
  return isAlphanumeric(c) || c === UNDERSCORE;
}

function isPathSeparator(c: number): boolean {
  return c === DOT || c === UNDERSCORE || c === HYPHEN;
}

/**
 * Checks one path component, `text[start, end)`, which must not be empty. Uppercase letters pass
 * here: Docker reports them separately ("repository name must be lowercase"), and only when the
 * reference is otherwise well-formed.
 */
function pathComponentProblem(text: string, start: number, end: number): string | undefined {
  let i = start;
  const first = text.charCodeAt(i);
  if (!isAlphanumeric(first)) {
    const what = isPathSeparator(first) ? `it starts with ${describeCharAt(text, i)}` : notAllowed(text, i);
    return `${what}; ${COMPONENT_RULE}`;
  }
  for (;;) {
    while (i < end && isAlphanumeric(text.charCodeAt(i))) i++;
    if (i === end) return undefined;
    const separatorStart = i;
    const c = text.charCodeAt(i);
    if (c === DOT) {
      i++;
    } else if (c === UNDERSCORE) {
      i++;
      if (i < end && text.charCodeAt(i) === UNDERSCORE) i++;
    } else if (c === HYPHEN) {
      while (i < end && text.charCodeAt(i) === HYPHEN) i++;
    } else {
      return `${notAllowed(text, i)}; ${COMPONENT_RULE}`;
    }
    if (i === end) return `it ends with ${quote(text.slice(separatorStart, i))}; ${COMPONENT_RULE}`;
    const next = text.charCodeAt(i);
    if (isPathSeparator(next))
      return `${quote(text.slice(separatorStart, i + 1))} is not a separator; ${COMPONENT_RULE}`;
    if (!isAlphanumeric(next)) return `${notAllowed(text, i)}; ${COMPONENT_RULE}`;
  }
}

interface SpanProblem {
  readonly code: ImageRefErrorCode;
  readonly start: number;
  readonly end: number;
  readonly rule: string;
}

/** Checks the slash-separated path `text[start, end)` component by component. */
export function pathProblem(text: string, start: number, end: number): SpanProblem | undefined {
  let componentStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && text.charCodeAt(i) !== SLASH) continue;
    if (i === componentStart) {
      return {
        code: 'AR_IMAGE_REF_INVALID_NAME',
        start: Math.max(start, i - 1),
        end: Math.min(end, i + 1),
        rule: 'a path component is empty: a repository path does not start or end with "/" or contain "//"',
      };
    }
    const rule = pathComponentProblem(text, componentStart, i);
    if (rule !== undefined)
      return { code: 'AR_IMAGE_REF_INVALID_COMPONENT', start: componentStart, end: i, rule };
    componentStart = i + 1;
  }
  return undefined;
}

/** Index of the first ASCII uppercase letter in `text[start, end)`, or -1. */
export function indexOfUppercase(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (isUpperLetter(text.charCodeAt(i))) return i;
  return -1;
}

/** Checks a registry host with optional port, `text[start, end)`, against Docker's domain grammar. */
export function domainProblem(text: string, start: number, end: number): string | undefined {
  if (start === end) return `the host is empty; ${DOMAIN_RULE}`;
  let i = start;
  if (text.charCodeAt(i) === OPEN_BRACKET) {
    i++;
    while (i < end && (isHexDigit(text.charCodeAt(i)) || text.charCodeAt(i) === COLON)) i++;
    if (i === end) return `the "[" of the IPv6 address is never closed; ${DOMAIN_RULE}`;
    const c = text.charCodeAt(i);
    if (c !== CLOSE_BRACKET) {
      const what =
        c === PERCENT
          ? 'IPv6 zone identifiers such as "%eth0" are not allowed'
          : `${notAllowed(text, i)} in an IPv6 address`;
      return `${what}; ${DOMAIN_RULE}`;
    }
    if (i === start + 1) return `the IPv6 address between "[" and "]" is empty; ${DOMAIN_RULE}`;
    i++;
  } else {
    for (;;) {
      const labelStart = i;
      if (i === end || !isAlphanumeric(text.charCodeAt(i)))
        return `${labelStartProblem(text, i, end)}; ${DOMAIN_RULE}`;
      while (i < end && (isAlphanumeric(text.charCodeAt(i)) || text.charCodeAt(i) === HYPHEN)) i++;
      if (text.charCodeAt(i - 1) === HYPHEN) {
        return `the host label ${quote(text.slice(labelStart, i))} ends with "-"; ${DOMAIN_RULE}`;
      }
      if (i < end && text.charCodeAt(i) === DOT) {
        i++;
        continue;
      }
      break;
    }
  }
  if (i === end) return undefined;
  if (text.charCodeAt(i) !== COLON) return `${notAllowed(text, i)} in a host; ${DOMAIN_RULE}`;
  const portStart = ++i;
  if (i === end) return `the port after ":" is empty; ${DOMAIN_RULE}`;
  for (; i < end; i++) {
    if (!isDigit(text.charCodeAt(i)))
      return `the port ${quote(text.slice(portStart, end))} is not a number; ${DOMAIN_RULE}`;
  }
  return undefined;
}

function labelStartProblem(text: string, i: number, end: number): string {
  if (i === end) return 'the host ends with "."';
  const c = text.charCodeAt(i);
  if (c === DOT) return 'the host has an empty label ("..") or starts with "."';
  if (c === HYPHEN) return 'a host label starts with "-"';
  return `${notAllowed(text, i)} in a host`;
}

/** True when `host` is a registry host (with optional port) by Docker's grammar. */
export function isValidDomain(host: string): boolean {
  return typeof host === 'string' && host.length <= 1024 && domainProblem(host, 0, host.length) === undefined;
}

/** Checks a tag, `text[start, end)`. */
export function tagProblem(text: string, start: number, end: number): string | undefined {
  if (start === end) return `the tag after ":" is empty; ${TAG_RULE}`;
  if (!isWordCharacter(text.charCodeAt(start))) return TAG_RULE;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isWordCharacter(c) && c !== DOT && c !== HYPHEN) return `${notAllowed(text, i)}; ${TAG_RULE}`;
  }
  if (end - start > MAX_TAG_LENGTH) return `it has ${counted(end - start, 'character')}; ${TAG_RULE}`;
  return undefined;
}

/** True when `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return (
    typeof tag === 'string' && tag.length <= MAX_TAG_LENGTH && tagProblem(tag, 0, tag.length) === undefined
  );
}

interface DigestProblem {
  readonly code: 'AR_IMAGE_REF_INVALID_DIGEST' | 'AR_IMAGE_REF_UNSUPPORTED_DIGEST';
  readonly rule: string;
}

/**
 * Checks a digest, `text[start, end)`, in the two steps Docker takes: the reference grammar
 * (`algorithm:hex`, at least 32 hex digits), then go-digest's check of the algorithm and of the
 * exact length and lowercase of its hex.
 */
export function digestProblem(text: string, start: number, end: number): DigestProblem | undefined {
  const syntax = digestSyntaxProblem(text, start, end);
  if (syntax !== undefined) return { code: 'AR_IMAGE_REF_INVALID_DIGEST', rule: syntax };
  return digestValueProblem(text, start, end);
}

/** The reference grammar's part of {@link digestProblem}. */
export function digestSyntaxProblem(text: string, start: number, end: number): string | undefined {
  if (start === end) return `the digest after "@" is empty; ${DIGEST_RULE}`;
  let i = start;
  for (;;) {
    if (i === end || !isLetter(text.charCodeAt(i))) {
      const what =
        i === end
          ? 'the digest has no ":"'
          : `the algorithm has ${describeCharAt(text, i)} where a letter must be`;
      return `${what}; ${DIGEST_RULE}`;
    }
    while (i < end && isAlphanumeric(text.charCodeAt(i))) i++;
    if (i === end) return `the digest has no ":"; ${DIGEST_RULE}`;
    const c = text.charCodeAt(i);
    if (c === COLON) break;
    if (c !== HYPHEN && c !== UNDERSCORE && c !== PLUS && c !== DOT) {
      return `${notAllowed(text, i)} in a digest algorithm; ${DIGEST_RULE}`;
    }
    i++;
  }
  const hexStart = ++i;
  for (; i < end; i++) {
    if (!isHexDigit(text.charCodeAt(i)))
      return `${notAllowed(text, i)} in the hex of a digest; ${DIGEST_RULE}`;
  }
  if (end - hexStart < 32)
    return `the hex has ${counted(end - hexStart, 'digit')}, fewer than 32; ${DIGEST_RULE}`;
  return undefined;
}

/** go-digest's part of {@link digestProblem}, for a digest that already follows the grammar. */
export function digestValueProblem(text: string, start: number, end: number): DigestProblem | undefined {
  const colon = text.indexOf(':', start);
  const algorithm = text.slice(start, colon);
  const expected = DIGEST_HEX_LENGTHS.get(algorithm);
  if (expected === undefined) {
    const lower = algorithm.toLowerCase();
    const hint = DIGEST_HEX_LENGTHS.has(lower)
      ? `write it in lowercase, ${quote(lower)}`
      : 'use sha256, sha384 or sha512';
    return {
      code: 'AR_IMAGE_REF_UNSUPPORTED_DIGEST',
      rule: `${quote(algorithm)} is not a supported algorithm: ${hint}`,
    };
  }
  const digits = end - colon - 1;
  if (digits !== expected) {
    return {
      code: 'AR_IMAGE_REF_INVALID_DIGEST',
      rule: `a ${algorithm} digest has exactly ${expected} hex digits, this one has ${digits}`,
    };
  }
  for (let i = colon + 1; i < end; i++) {
    if (!isLowerHexDigit(text.charCodeAt(i))) {
      return {
        code: 'AR_IMAGE_REF_INVALID_DIGEST',
        rule: `the hex of a ${algorithm} digest is lowercase (0-9, a-f)`,
      };
    }
  }
  return undefined;
}

/** True when `digest` is a digest Docker accepts, e.g. `sha256:` and 64 lowercase hex digits. */
export function isValidDigest(digest: string): boolean {
  return (
    typeof digest === 'string' &&
    digest.length <= 1024 &&
    digestProblem(digest, 0, digest.length) === undefined
  );
}

/**
 * True for a 64-digit lowercase hex string: a local image ID, which Docker refuses to take as a
 * repository name because it would be ambiguous.
 */
export function isIdentifier(text: string): boolean {
  if (typeof text !== 'string' || text.length !== 64) return false;
  for (let i = 0; i < 64; i++) if (!isLowerHexDigit(text.charCodeAt(i))) return false;
  return true;
}

function notAllowed(text: string, index: number): string {
  return `${describeCharAt(text, index)} is not allowed`;
}
