import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyReference,
  AR_MULTI_REGIONS,
  AR_REGIONS,
  type ArDefaults,
  ArImageRefError,
  classifyRegistryHost,
  formatArReference,
  formatReference,
  IMAGE_REF_ERROR_CODES,
  type ImageRefResult,
  parseReference,
  tryCompleteArImage,
  tryCompleteArRepository,
  tryParseAnyReference,
  tryParseArImage,
  tryParseArReference,
  tryParseArRepository,
  tryParseCanonicalReference,
  tryParseDockerRef,
  tryParseName,
  tryParseNormalizedNamed,
  tryParseReference,
} from '../src/index.js';

const RUNS = { numRuns: 500 };

// Valid references, built from the grammar of distribution/reference.
const alphanumeric = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');
const component = fc
  .tuple(alphanumeric, fc.array(fc.tuple(separator, alphanumeric), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([sep, part]) => sep + part).join(''));
const path = fc
  .array(component, { minLength: 1, maxLength: 5 })
  .map((components) => components.join('/'))
  .filter((text) => text.length <= 255);
const label = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/);
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
  fc.stringMatching(/^[0-9a-fA-F:]{1,39}$/).map((address) => `[${address}]`),
  fc.constant('localhost'),
);
const domain = fc
  .tuple(host, fc.option(fc.integer({ min: 0, max: 99_999 }), { nil: undefined }))
  .map(([name, port]) => (port === undefined ? name : `${name}:${port}`));
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
const digest = fc.oneof(
  fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
  fc.stringMatching(/^[a-f0-9]{96}$/).map((hex) => `sha384:${hex}`),
  fc.stringMatching(/^[a-f0-9]{128}$/).map((hex) => `sha512:${hex}`),
);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const suffix = fc.record({ tag: optional(tag), digest: optional(digest) }).map(({ tag: t, digest: d }) => ({
  t,
  d,
  text: `${t === undefined ? '' : `:${t}`}${d === undefined ? '' : `@${d}`}`,
}));

const dockerReference = fc
  .record({ domain: optional(domain), path, suffix })
  .map(({ domain: dom, path: p, suffix: s }) => ({
    domain: dom,
    path: p,
    tag: s.t,
    digest: s.d,
    text: `${dom === undefined ? '' : `${dom}/`}${p}${s.text}`,
  }));

// Valid Artifact Registry references.
const location = fc.oneof(
  fc.constantFrom(...AR_MULTI_REGIONS, ...AR_REGIONS),
  fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,20}[a-z0-9])?$/),
);
const plainProject = fc.stringMatching(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
const project = fc.oneof(
  plainProject,
  fc
    .tuple(fc.constantFrom('example.com', 'google.com', 'a1.b-2.dev'), plainProject)
    .map(([d, p]) => `${d}:${p}`),
);
const repository = fc.oneof(
  fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,40}[a-z0-9])?$/),
  fc.constantFrom('gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'),
);
const image = fc.array(component, { minLength: 1, maxLength: 3 }).map((components) => components.join('/'));
const arImage = fc
  .record({ location, project, repository, image, suffix, regional: fc.boolean() })
  .map((parts) => {
    const registry = parts.regional
      ? `docker.${parts.location}.rep.pkg.dev`
      : `${parts.location}-docker.pkg.dev`;
    const text = `${registry}/${parts.project.replace(':', '/')}/${parts.repository}/${parts.image}${parts.suffix.text}`;
    return { ...parts, text };
  })
  .filter((parts) => parts.text.length - parts.text.indexOf('/') - 1 - parts.suffix.text.length <= 255);

// Arbitrary text, from plain noise to near-misses and long runs.
const referenceCharacters = fc.constantFrom(
  ...'abcxyzABZ0189._-:/@[]%+~ '.split(''),
  '\u0000',
  '\n',
  'é',
  '🐳',
  'K',
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: referenceCharacters, maxLength: 120 }),
  fc.string({ unit: fc.constantFrom('a', '-', '_', '.', '/', ':', '@'), minLength: 900, maxLength: 1_100 }),
  fc
    .tuple(dockerReference, fc.nat(), referenceCharacters)
    .map(
      ([{ text }, at, inserted]) =>
        text.slice(0, at % (text.length + 1)) + inserted + text.slice(at % (text.length + 1)),
    ),
  arImage.map(({ text }) => text),
);

const DEFAULTS: ArDefaults = { location: 'us-west1', project: 'my-project', repository: 'my-repo' };

type Format<T> = (value: T) => string;
const formatAny: Format<AnyReference> = (value) =>
  value.kind === 'digest' ? value.digest : formatReference(value.reference);

/** Each parser with the formatter that inverts it. */
function entry<T>(name: string, parse: (input: string) => ImageRefResult<T>, format: Format<T>) {
  return [name, parse as (input: string) => ImageRefResult<unknown>, format as Format<unknown>] as const;
}

const parsers = [
  entry('tryParseReference', tryParseReference, formatReference),
  entry('tryParseName', tryParseName, formatReference),
  entry('tryParseNormalizedNamed', tryParseNormalizedNamed, formatReference),
  entry('tryParseDockerRef', tryParseDockerRef, formatReference),
  entry('tryParseAnyReference', tryParseAnyReference, formatAny),
  entry('tryParseCanonicalReference', tryParseCanonicalReference, formatReference),
  entry('tryParseArImage', tryParseArImage, formatArReference),
  entry('tryParseArRepository', tryParseArRepository, formatArReference),
  entry('tryParseArReference', tryParseArReference, formatArReference),
  entry('tryCompleteArImage', (input) => tryCompleteArImage(input, DEFAULTS), formatArReference),
  entry('tryCompleteArRepository', (input) => tryCompleteArRepository(input, DEFAULTS), formatArReference),
];

const CODES: ReadonlySet<string> = new Set(IMAGE_REF_ERROR_CODES);

describe('generated valid references', () => {
  it('parse, keep their parts and format back to the same text', () => {
    fc.assert(
      fc.property(dockerReference, (generated) => {
        const reference = parseReference(generated.text);
        expect(formatReference(reference)).toBe(generated.text);
        if (generated.domain !== undefined) {
          expect(reference.domain).toBe(generated.domain);
          expect(reference.path).toBe(generated.path);
        }
        expect(reference.tag).toBe(generated.tag);
        expect(reference.digest).toBe(generated.digest);
      }),
      RUNS,
    );
  });

  it('normalize to a fixed point', () => {
    fc.assert(
      fc.property(dockerReference, ({ text }) => {
        for (const parse of [tryParseNormalizedNamed, tryParseDockerRef]) {
          const once = parse(text);
          if (!once.ok) continue;
          const formatted = formatReference(once.value);
          const twice = parse(formatted);
          expect(twice.ok && formatReference(twice.value)).toBe(formatted);
        }
      }),
      RUNS,
    );
  });

  it('Artifact Registry references parse to their parts and format back', () => {
    fc.assert(
      fc.property(arImage, (generated) => {
        const result = tryParseArImage(generated.text);
        if (!result.ok) throw result.error;
        expect(result.value).toMatchObject({
          location: generated.location,
          project: generated.project,
          repository: generated.repository,
          image: generated.image,
          endpoint: generated.regional ? 'regional' : 'standard',
        });
        expect(result.value.tag).toBe(generated.suffix.t);
        expect(result.value.digest).toBe(generated.suffix.d);
        expect(formatArReference(result.value)).toBe(generated.text);
      }),
      RUNS,
    );
  });
});

describe('any text at all', () => {
  it.each(parsers)('%s returns a typed result, never throws, and formats stably', (_, parse, format) => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parse(text);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(ArImageRefError);
          expect(CODES.has(result.error.code)).toBe(true);
          expect(result.error.message.length).toBeLessThan(2_000);
          return;
        }
        const formatted = format(result.value);
        const again = parse(formatted);
        expect(again.ok && format(again.value)).toBe(formatted);
      }),
      RUNS,
    );
  });

  it('the throwing forms throw nothing but ArImageRefError', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        try {
          tryParseReference(text).ok || parseReference(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ArImageRefError);
        }
      }),
      RUNS,
    );
  });

  it('classifyRegistryHost never throws and only says Google for Google hosts', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const info = classifyRegistryHost(text);
        if (info.kind === 'other') return;
        expect(info.hostname).toMatch(/(^|\.|-)(docker\.pkg\.dev|rep\.pkg\.dev|gcr\.io)$/);
      }),
      RUNS,
    );
  });
});
