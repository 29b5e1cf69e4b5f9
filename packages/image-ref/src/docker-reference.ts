/**
 * Docker/OCI references as distribution/reference's `Parse`, `WithName`, `WithTag`, `WithDigest`
 * and `TrimNamed` see them: no normalization, so "ubuntu" stays "ubuntu".
 */
import { quote } from './display.js';
import {
  errorFor,
  fail,
  type ImageRefResult,
  ok,
  type Parsed,
  type Problem,
  runParser,
  unwrap,
} from './errors.js';
import {
  digestProblem,
  digestSyntaxProblem,
  digestValueProblem,
  domainProblem,
  indexOfUppercase,
  MAX_PATH_LENGTH,
  pathProblem,
  tagProblem,
} from './grammar.js';

/** A parsed `[domain/]path[:tag][@digest]`. Plain, frozen data. */
export interface DockerReference {
  /** Registry host with optional port, as written; `""` when the reference names none. */
  readonly domain: string;
  /** The repository path after the host, e.g. `library/ubuntu`. */
  readonly path: string;
  /** `domain/path`, or `path` alone when there is no domain. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Where the parts of a reference sit in the text it was parsed from. */
export interface ReferenceLayout {
  /** End of `name` (where ":tag" or "@digest" starts, or the end of the text). */
  readonly nameEnd: number;
  /** Start of the path: 0 when there is no domain. */
  readonly pathStart: number;
  /** Start of the tag's ":" or -1; start of the digest's "@" or -1. */
  readonly tagColon: number;
  readonly digestAt: number;
}

interface ScannedReference {
  readonly reference: DockerReference;
  readonly layout: ReferenceLayout;
}

/**
 * Where name, tag and digest meet. The grammar makes this unambiguous without backtracking: "@" can
 * only start the digest, and a ":" after the last "/" of the name can only start the tag, because
 * path components never hold ":" (a ":" before that "/" belongs to a host's port).
 */
function layoutOf(text: string): { nameEnd: number; tagColon: number; digestAt: number } {
  const digestAt = text.indexOf('@');
  const beforeDigest = digestAt < 0 ? text.length : digestAt;
  const lastSlash = beforeDigest === 0 ? -1 : text.lastIndexOf('/', beforeDigest - 1);
  const colon = text.indexOf(':', lastSlash + 1);
  const tagColon = colon >= 0 && colon < beforeDigest ? colon : -1;
  return { nameEnd: tagColon >= 0 ? tagColon : beforeDigest, tagColon, digestAt };
}

/**
 * `Parse` of distribution/reference on text already admitted (non-empty, bounded). Problems are
 * reported in Docker's order: the shape of name, tag and digest first, then uppercase, then the
 * path length, then the digest's algorithm and length.
 */
export function scanReference(text: string): Parsed<ScannedReference> {
  const { nameEnd, tagColon, digestAt } = layoutOf(text);
  const beforeDigest = digestAt < 0 ? text.length : digestAt;
  if (nameEnd === 0) {
    return fail('AR_IMAGE_REF_INVALID_NAME', 0, 0, 'the repository name before ":" or "@" is missing');
  }
  const firstSlash = text.indexOf('/');
  const hasSlash = firstSlash >= 0 && firstSlash < nameEnd;
  if (!hasSlash && text.charCodeAt(0) === 0x5b && text.lastIndexOf(']', beforeDigest) >= 0) {
    return fail(
      'AR_IMAGE_REF_INVALID_NAME',
      0,
      beforeDigest,
      'a bracketed IPv6 host needs a repository path after it, for example "[::1]:5000/my-image"',
    );
  }
  const domainEnd = hasSlash && domainProblem(text, 0, firstSlash) === undefined ? firstSlash : -1;
  const pathStart = domainEnd + 1;

  const structure = pathProblem(text, pathStart, nameEnd);
  if (structure !== undefined) {
    if (domainEnd < 0 && hasSlash && structure.start < firstSlash && looksLikeHost(text, firstSlash)) {
      return fail('AR_IMAGE_REF_INVALID_DOMAIN', 0, firstSlash, domainProblem(text, 0, firstSlash) ?? '');
    }
    return { ok: false, problem: structure };
  }
  if (tagColon >= 0) {
    const rule = tagProblem(text, tagColon + 1, beforeDigest);
    if (rule !== undefined) return fail('AR_IMAGE_REF_INVALID_TAG', tagColon + 1, beforeDigest, rule);
  }
  if (digestAt >= 0) {
    const rule = digestSyntaxProblem(text, digestAt + 1, text.length);
    if (rule !== undefined) return fail('AR_IMAGE_REF_INVALID_DIGEST', digestAt + 1, text.length, rule);
  }
  const upper = indexOfUppercase(text, pathStart, nameEnd);
  if (upper >= 0) return { ok: false, problem: uppercaseProblem(text, upper, pathStart, nameEnd) };
  if (nameEnd - pathStart > MAX_PATH_LENGTH) {
    return fail(
      'AR_IMAGE_REF_NAME_TOO_LONG',
      pathStart,
      nameEnd,
      `the repository path after the host has at most ${MAX_PATH_LENGTH} characters, this one has ${nameEnd - pathStart}`,
    );
  }
  if (digestAt >= 0) {
    const problem = digestValueProblem(text, digestAt + 1, text.length);
    if (problem !== undefined) return fail(problem.code, digestAt + 1, text.length, problem.rule);
  }
  return ok({
    reference: makeReference(
      domainEnd < 0 ? '' : text.slice(0, domainEnd),
      text.slice(pathStart, nameEnd),
      tagColon >= 0 ? text.slice(tagColon + 1, beforeDigest) : undefined,
      digestAt >= 0 ? text.slice(digestAt + 1) : undefined,
    ),
    layout: { nameEnd, pathStart, tagColon, digestAt },
  });
}

/** A first component that fails both as host and as path, and was plainly meant as a host. */
function looksLikeHost(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e || c === 0x3a || c === 0x5b || c === 0x5d) return true;
  }
  return false;
}

/** The uppercase error for the path component holding `text[upper]`. */
export function uppercaseProblem(text: string, upper: number, pathStart: number, pathEnd: number): Problem {
  const slashBefore = text.lastIndexOf('/', upper);
  const start = slashBefore < pathStart ? pathStart : slashBefore + 1;
  const slashAfter = text.indexOf('/', upper);
  const end = slashAfter < 0 || slashAfter > pathEnd ? pathEnd : slashAfter;
  const component = text.slice(start, end);
  return {
    code: 'AR_IMAGE_REF_UPPERCASE',
    start,
    end,
    rule: `repository name must be lowercase (only the host may have uppercase): write ${quote(asciiLowercase(component))}`,
  };
}

function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export function makeReference(domain: string, path: string, tag?: string, digest?: string): DockerReference {
  const reference: { -readonly [K in keyof DockerReference]: DockerReference[K] } = {
    domain,
    path,
    name: domain === '' ? path : `${domain}/${path}`,
  };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return Object.freeze(reference);
}

/**
 * Parses a reference exactly as Docker's `reference.Parse` does: no normalization (`ubuntu` stays
 * `ubuntu`, with an empty domain), the first component is the domain when it has the shape of a
 * host, and a tag and a digest given together are both kept.
 */
export function tryParseReference(input: string): ImageRefResult<DockerReference> {
  return runParser(input, (text) => {
    const scanned = scanReference(text);
    return scanned.ok ? ok(scanned.value.reference) : scanned;
  });
}

/** {@link tryParseReference} that throws {@link ArImageRefError}. */
export function parseReference(input: string): DockerReference {
  return unwrap(tryParseReference(input));
}

/**
 * Parses a repository name alone, as `reference.WithName` does: `[domain/]path`, no tag, no digest.
 */
export function tryParseName(input: string): ImageRefResult<DockerReference> {
  return runParser(input, (text) => {
    const { nameEnd } = layoutOf(text);
    if (nameEnd > 0 && nameEnd < text.length) {
      return fail(
        'AR_IMAGE_REF_INVALID_NAME',
        nameEnd,
        text.length,
        'a repository name has no tag or digest: drop the part from ":" or "@" on',
      );
    }
    const scanned = scanReference(text);
    return scanned.ok ? ok(scanned.value.reference) : scanned;
  });
}

/** {@link tryParseName} that throws {@link ArImageRefError}. */
export function parseName(input: string): DockerReference {
  return unwrap(tryParseName(input));
}

/**
 * The reference with `tag` set, as `reference.WithTag` does: a digest already there is kept.
 * Throws {@link ArImageRefError} (`AR_IMAGE_REF_INVALID_TAG`) for an invalid tag.
 */
export function withTag(reference: DockerReference, tag: string): DockerReference {
  const text = String(tag);
  const rule = tagProblem(text, 0, text.length);
  if (rule !== undefined)
    throw errorFor(text, { code: 'AR_IMAGE_REF_INVALID_TAG', start: 0, end: text.length, rule });
  return makeReference(reference.domain, reference.path, text, reference.digest);
}

/**
 * The reference with `digest` set, as `reference.WithDigest` does: a tag already there is kept.
 * The digest is checked as `Parse` checks it (go-digest's algorithm and length too), which is
 * stricter than upstream `WithDigest`: a digest it accepts here is one Docker can pull.
 */
export function withDigest(reference: DockerReference, digest: string): DockerReference {
  const text = String(digest);
  const problem = digestProblem(text, 0, text.length);
  if (problem !== undefined) throw errorFor(text, { ...problem, start: 0, end: text.length });
  return makeReference(reference.domain, reference.path, reference.tag, text);
}

/** The name alone, tag and digest removed (`reference.TrimNamed`). */
export function trimNamed(reference: DockerReference): DockerReference {
  return makeReference(reference.domain, reference.path);
}

/** `name[:tag][@digest]`: the inverse of {@link parseReference}. */
export function formatReference(reference: DockerReference): string {
  let text = reference.name;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}
