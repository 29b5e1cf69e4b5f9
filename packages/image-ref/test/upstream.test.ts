import { describe, expect, it } from 'vitest';
import {
  type DockerReference,
  familiarName,
  familiarString,
  formatReference,
  isIdentifier,
  isValidDomain,
  parseAnyReference,
  parseCanonicalReference,
  parseDockerRef,
  parseName,
  parseNormalizedNamed,
  parseReference,
  tryParseCanonicalReference,
  tryParseName,
  tryParseNormalizedNamed,
  tryParseReference,
  withDigest,
  withTag,
} from '../src/index.js';
import {
  anyReferenceCases,
  dockerRefCases,
  invalidReferenceNames,
  invalidRemoteNames,
  normalizedSplitHostnameCases,
  repositoryInfoCases,
  TAG_AND_DIGEST_SHORT_REF,
  validReferenceNames,
  validRemoteNames,
} from './upstream/normalize.cases.js';
import {
  domainAndPathCases,
  parseNamedCases,
  type ReferenceCase,
  referenceParseCases,
  serializationCases,
  UPSTREAM_SHORT_DIGEST,
  withDigestCases,
  withNameFailureCases,
  withTagCases,
} from './upstream/reference.cases.js';
import { domainCases, fullNameCases, identifierCases, referenceCases } from './upstream/regexp.cases.js';

function expectReferenceCase(result: ReturnType<typeof tryParseReference>, tc: ReferenceCase): void {
  if (tc.code !== undefined) {
    expect(result.ok, `expected ${tc.code}`).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(tc.code);
    return;
  }
  if (!result.ok) throw result.error;
  const reference = result.value;
  expect(formatReference(reference)).toBe(tc.input);
  expect(reference.name).toBe(tc.name);
  expect(reference.domain).toBe(tc.domain ?? '');
  expect(reference.tag).toBe(tc.tag);
  expect(reference.digest).toBe(tc.digest);
}

describe('reference_test.go', () => {
  it.each(referenceParseCases.map((tc) => [tc.input.slice(0, 80), tc] as const))('Parse %s', (_, tc) => {
    expectReferenceCase(tryParseReference(tc.input), tc);
  });

  it.each(withNameFailureCases.map((tc) => [tc.input.slice(0, 80), tc] as const))(
    'WithName fails on %s',
    (_, tc) => {
      expectReferenceCase(tryParseName(tc.input), tc);
    },
  );

  it.each(domainAndPathCases)('WithName splits $input', ({ input, domain, path }) => {
    expect(parseName(input)).toMatchObject({ domain, path });
  });

  it.each(serializationCases.map((tc) => [tc.input, tc] as const))(
    'serializes "%s" back to itself',
    (_, tc) => {
      expectReferenceCase(tryParseReference(tc.input), tc);
    },
  );

  it.each(withTagCases)('WithTag gives $combined', ({ name, tag, digest, combined }) => {
    let reference: DockerReference = parseName(name);
    if (digest !== undefined) reference = withDigest(reference, digest);
    expect(formatReference(withTag(reference, tag ?? ''))).toBe(combined);
  });

  it.each(withDigestCases)('WithDigest gives $combined', ({ name, tag, digest, combined }) => {
    let reference: DockerReference = parseName(name);
    if (tag !== undefined) reference = withTag(reference, tag);
    expect(formatReference(withDigest(reference, digest ?? ''))).toBe(combined);
  });

  it('rejects the short digest of the upstream WithTag/WithDigest tables, as Parse does', () => {
    expect(() => withDigest(parseName('foo'), UPSTREAM_SHORT_DIGEST)).toThrow(
      expect.objectContaining({ code: 'AR_IMAGE_REF_INVALID_DIGEST' }),
    );
  });

  it.each(parseNamedCases)('ParseNamed $input', ({ input, domain, path, code }) => {
    const result = tryParseCanonicalReference(input);
    if (code !== undefined) {
      expect(result.ok ? 'ok' : result.error.code).toBe(code);
      return;
    }
    expect(parseCanonicalReference(input)).toMatchObject({ domain, path });
  });
});

describe('normalize_test.go', () => {
  it.each(validReferenceNames)('ParseNormalizedNamed accepts %s', (name) => {
    expect(tryParseNormalizedNamed(name).ok).toBe(true);
  });

  it.each(invalidReferenceNames)('ParseNormalizedNamed rejects %s', (name) => {
    expect(tryParseNormalizedNamed(name).ok).toBe(false);
  });

  it.each(validRemoteNames)('accepts the remote name %s', (name) => {
    expect(tryParseNormalizedNamed(name).ok).toBe(true);
  });

  it.each(invalidRemoteNames.map((name) => [name.slice(0, 60), name] as const))(
    'rejects the remote name %s',
    (_, name) => {
      expect(tryParseNormalizedNamed(name).ok).toBe(false);
    },
  );

  describe.each(repositoryInfoCases)('repository info for $fullName', (tc) => {
    const spellings = [tc.familiarName, tc.fullName, ...(tc.ambiguousName === '' ? [] : [tc.ambiguousName])];
    it.each(spellings)('from %s', (spelling) => {
      const named = parseNormalizedNamed(spelling);
      expect(familiarName(named)).toBe(tc.familiarName);
      expect(formatReference(named)).toBe(tc.fullName);
      expect(named.domain).toBe(tc.domain);
      expect(named.path).toBe(tc.remoteName);
    });
  });

  it('keeps both tag and digest, and shows them familiarly', () => {
    const reference = parseNormalizedNamed(TAG_AND_DIGEST_SHORT_REF);
    expect(formatReference(reference)).toBe(`docker.io/library/${TAG_AND_DIGEST_SHORT_REF}`);
    expect(reference.tag).toBe('latest');
    expect(reference.digest).toMatch(/^sha256:/);
    expect(familiarString(reference)).toBe(TAG_AND_DIGEST_SHORT_REF);
  });

  it('rejects invalid components (TestInvalidReferenceComponents)', () => {
    expect(tryParseNormalizedNamed('-foo').ok).toBe(false);
    const busybox = parseNormalizedNamed('busybox');
    expect(() => withTag(busybox, '-foo')).toThrow(
      expect.objectContaining({ code: 'AR_IMAGE_REF_INVALID_TAG' }),
    );
    expect(() => withDigest(busybox, 'foo')).toThrow(
      expect.objectContaining({ code: 'AR_IMAGE_REF_INVALID_DIGEST' }),
    );
  });

  it.each(anyReferenceCases)('ParseAnyReference $reference', ({ reference, equivalent, digestOnly }) => {
    const parsed = parseAnyReference(reference);
    if (digestOnly) {
      expect(parsed).toEqual({ kind: 'digest', digest: equivalent });
      return;
    }
    expect(parsed.kind).toBe('named');
    if (parsed.kind === 'named') {
      expect(formatReference(parsed.reference)).toBe(equivalent);
      expect(parsed.reference).toEqual(parseReference(equivalent));
    }
  });

  it.each(normalizedSplitHostnameCases)('splits $input', ({ input, domain, path }) => {
    expect(parseNormalizedNamed(input)).toMatchObject({ domain, path });
  });

  it.each(dockerRefCases)('ParseDockerRef: $name', ({ input, expected }) => {
    const output = formatReference(parseDockerRef(input));
    expect(output).toBe(expected);
    expect(tryParseReference(output).ok).toBe(true);
  });
});

describe('regexp_test.go', () => {
  it.each(domainCases)('domain $input matches: $match', ({ input, match }) => {
    expect(isValidDomain(input)).toBe(match);
    // The same host, used in a reference, is taken as its domain exactly when it is one.
    const result = tryParseName(`${input}/repo`);
    expect(result.ok && result.value.domain === input).toBe(match);
  });

  it.each(fullNameCases.map((tc) => [tc.input.slice(0, 60), tc] as const))(
    'name %s',
    (_, { input, match, subs }) => {
      const result = tryParseName(input);
      expect(result.ok).toBe(match);
      if (result.ok && subs !== undefined) expect([result.value.domain, result.value.path]).toEqual(subs);
    },
  );

  it.each(referenceCases)('reference $input', ({ input, match, subs }) => {
    const result = tryParseReference(input);
    expect(result.ok).toBe(match);
    if (result.ok && subs !== undefined) {
      const { name, tag, digest } = result.value;
      expect([name, tag ?? '', digest ?? '']).toEqual(subs);
    }
  });

  it.each(identifierCases)('identifier $input', ({ input, match }) => {
    expect(isIdentifier(input)).toBe(match);
  });
});
