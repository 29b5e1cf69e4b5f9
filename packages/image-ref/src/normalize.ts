/**
 * Docker's normalization (distribution/reference normalize.go): familiar names such as "ubuntu"
 * become fully qualified ("docker.io/library/ubuntu"), and back again.
 */
import { quote } from './display.js';
import {
  type DockerReference,
  formatReference,
  makeReference,
  scanReference,
  uppercaseProblem,
} from './docker-reference.js';
import { fail, type ImageRefResult, ok, type Parsed, relocate, runParser, unwrap } from './errors.js';
import { digestProblem, indexOfUppercase, isIdentifier } from './grammar.js';

export const DEFAULT_DOMAIN = 'docker.io';
/** Still accepted on input and rewritten to {@link DEFAULT_DOMAIN}, as Docker does. */
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

interface DockerDomainSplit {
  /** The domain the reference will have. */
  readonly domain: string;
  /** Where the part after the domain starts in the input (0 when the domain is implied). */
  readonly from: number;
  /** True when "library/" is implied before the remainder. */
  readonly official: boolean;
}

/**
 * Docker's `splitDockerDomain`: the first component is a host when it is "localhost", contains "."
 * or ":", or has uppercase (which a path may not have); otherwise Docker Hub is implied.
 */
function splitDockerDomain(text: string): DockerDomainSplit {
  const slash = text.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, from: 0, official: true };
  const first = text.slice(0, slash);
  let domain: string;
  let from: number;
  if (first === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    from = slash + 1;
  } else if (first === 'localhost' || /[.:]/.test(first) || indexOfUppercase(first, 0, first.length) >= 0) {
    domain = first;
    from = slash + 1;
  } else {
    domain = DEFAULT_DOMAIN;
    from = 0;
  }
  const official = domain === DEFAULT_DOMAIN && text.indexOf('/', from) < 0;
  return { domain, from, official };
}

/** The host the input names explicitly by Docker's rule, or undefined when Docker would imply one. */
export function explicitDomain(text: string): string | undefined {
  const split = splitDockerDomain(text);
  return split.from === 0 ? undefined : text.slice(0, split.from - 1);
}

function scanNormalized(text: string): Parsed<DockerReference> {
  if (isIdentifier(text)) {
    return fail(
      'AR_IMAGE_REF_BARE_IDENTIFIER',
      0,
      text.length,
      'a 64-digit hex string is an image ID, not a repository name: pull it by digest as "NAME@sha256:<hex>", or add a host such as "docker.io/"',
    );
  }
  const split = splitDockerDomain(text);
  // Docker rejects uppercase in the repository name before anything else, so do the same.
  const remoteEnd = firstIndexOfAny(text, split.from, ':', '@');
  const upper = indexOfUppercase(text, split.from, remoteEnd);
  if (upper >= 0) return { ok: false, problem: uppercaseProblem(text, upper, split.from, remoteEnd) };

  const prefix = `${split.domain}/${split.official ? OFFICIAL_REPOSITORY_PREFIX : ''}`;
  const scanned = scanReference(prefix + text.slice(split.from));
  if (scanned.ok) return ok(scanned.value.reference);
  let problem = relocate(scanned.problem, prefix.length, split.from, text.startsWith(prefix));
  if (problem.code === 'AR_IMAGE_REF_NAME_TOO_LONG' && split.official) {
    problem = { ...problem, rule: `${problem.rule}, counting the implied "${OFFICIAL_REPOSITORY_PREFIX}"` };
  }
  return { ok: false, problem };
}

function firstIndexOfAny(text: string, from: number, a: string, b: string): number {
  const first = text.indexOf(a, from);
  const second = text.indexOf(b, from);
  if (first < 0) return second < 0 ? text.length : second;
  return second < 0 ? first : Math.min(first, second);
}

/**
 * Parses and normalizes as Docker's `ParseNormalizedNamed` (what `docker pull` shows): "ubuntu" →
 * "docker.io/library/ubuntu", "index.docker.io" → "docker.io". No default tag is added, and a tag
 * and a digest given together are both kept.
 */
export function tryParseNormalizedNamed(input: string): ImageRefResult<DockerReference> {
  return runParser(input, scanNormalized);
}

/** {@link tryParseNormalizedNamed} that throws {@link ArImageRefError}. */
export function parseNormalizedNamed(input: string): DockerReference {
  return unwrap(tryParseNormalizedNamed(input));
}

/**
 * Normalizes as Docker's `ParseDockerRef` (what Docker and containerd resolve): like
 * {@link parseNormalizedNamed}, then ":latest" is added to a bare name, and when both a tag and a
 * digest are given the tag is dropped, since the digest alone decides what is pulled.
 */
export function tryParseDockerRef(input: string): ImageRefResult<DockerReference> {
  return runParser(input, (text) => {
    const parsed = scanNormalized(text);
    if (!parsed.ok) return parsed;
    const { domain, path, tag, digest } = parsed.value;
    if (digest !== undefined)
      return ok(tag === undefined ? parsed.value : makeReference(domain, path, undefined, digest));
    return ok(tag === undefined ? makeReference(domain, path, DEFAULT_TAG) : parsed.value);
  });
}

/** {@link tryParseDockerRef} that throws {@link ArImageRefError}. */
export function parseDockerRef(input: string): DockerReference {
  return unwrap(tryParseDockerRef(input));
}

/** What `ParseAnyReference` returns: a named reference, or a bare digest. */
export type AnyReference =
  | { readonly kind: 'named'; readonly reference: DockerReference }
  | { readonly kind: 'digest'; readonly digest: string };

/**
 * Parses as Docker's `ParseAnyReference`: a 64-digit hex image ID becomes the digest
 * "sha256:<hex>", a valid digest stays a digest, anything else is parsed as
 * {@link parseNormalizedNamed} does.
 */
export function tryParseAnyReference(input: string): ImageRefResult<AnyReference> {
  return runParser(input, (text): Parsed<AnyReference> => {
    if (isIdentifier(text)) return ok({ kind: 'digest', digest: `sha256:${text}` });
    if (digestProblem(text, 0, text.length) === undefined) return ok({ kind: 'digest', digest: text });
    const parsed = scanNormalized(text);
    return parsed.ok ? ok({ kind: 'named', reference: parsed.value }) : parsed;
  });
}

/** {@link tryParseAnyReference} that throws {@link ArImageRefError}. */
export function parseAnyReference(input: string): AnyReference {
  return unwrap(tryParseAnyReference(input));
}

/**
 * Accepts only a reference already in canonical form, as Docker's `ParseNamed` does:
 * "docker.io/library/ubuntu" passes, "ubuntu" fails with the canonical form in the message.
 */
export function tryParseCanonicalReference(input: string): ImageRefResult<DockerReference> {
  return runParser(input, (text) => {
    const parsed = scanNormalized(text);
    if (!parsed.ok) return parsed;
    const canonical = formatReference(parsed.value);
    if (canonical === text) return parsed;
    return fail(
      'AR_IMAGE_REF_NOT_CANONICAL',
      0,
      text.length,
      `write the full reference, ${quote(canonical)}`,
    );
  });
}

/** {@link tryParseCanonicalReference} that throws {@link ArImageRefError}. */
export function parseCanonicalReference(input: string): DockerReference {
  return unwrap(tryParseCanonicalReference(input));
}

/** The reference with Docker Hub's "docker.io" and official "library/" dropped, as `docker images` shows it. */
export function familiarize(reference: DockerReference): DockerReference {
  if (reference.domain !== DEFAULT_DOMAIN) return reference;
  let path = reference.path;
  // Only one level under library/ is an official image; "library/a/b" keeps its prefix.
  if (path.startsWith(OFFICIAL_REPOSITORY_PREFIX) && !path.includes('/', OFFICIAL_REPOSITORY_PREFIX.length)) {
    path = path.slice(OFFICIAL_REPOSITORY_PREFIX.length);
  }
  return makeReference('', path, reference.tag, reference.digest);
}

/** `FamiliarName`: "docker.io/library/ubuntu" → "ubuntu". */
export function familiarName(reference: DockerReference): string {
  return familiarize(reference).name;
}

/** `FamiliarString`: "docker.io/library/ubuntu:24.04" → "ubuntu:24.04". */
export function familiarString(reference: DockerReference): string {
  return formatReference(familiarize(reference));
}
