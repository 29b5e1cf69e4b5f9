/**
 * Completing short references ("my-image:1") from configured defaults. Only these explicit helpers
 * do it: the parsers never fill anything in.
 */
import { locationProblem, projectIdProblem, projectIdToPath, repositoryIdProblem } from './ar-ids.js';
import {
  type ArImageRef,
  type ArRepositoryRef,
  scanArImage,
  scanArRepository,
  tryParseArImage,
  tryParseArRepository,
} from './artifact-registry.js';
import { admit, errorFor, type ImageRefResult, type Parsed, relocate, runParser, unwrap } from './errors.js';
import { explicitDomain } from './normalize.js';

/** Values a short reference is completed from; typically read from configuration by the caller. */
export interface ArDefaults {
  readonly location?: string | undefined;
  readonly project?: string | undefined;
  readonly repository?: string | undefined;
}

type DefaultName = keyof ArDefaults;

const CHECKS: Readonly<Record<DefaultName, (value: string) => string | undefined>> = {
  location: locationProblem,
  project: projectIdProblem,
  repository: repositoryIdProblem,
};

const CODES = {
  location: 'AR_IMAGE_REF_INVALID_LOCATION',
  project: 'AR_IMAGE_REF_INVALID_PROJECT_ID',
  repository: 'AR_IMAGE_REF_INVALID_REPOSITORY_ID',
} as const;

/**
 * The defaults named in `needed`, checked, or the error for the first missing or invalid one.
 * `shortInput` is what is being completed, for the message.
 */
function readDefaults(
  defaults: ArDefaults,
  needed: readonly DefaultName[],
  shortInput: string,
): ImageRefResult<Record<DefaultName, string>> {
  const values: Record<DefaultName, string> = { location: '', project: '', repository: '' };
  const missing = needed.filter((name) => {
    const value: unknown = defaults?.[name];
    return typeof value !== 'string' || value === '';
  });
  if (missing.length > 0) {
    const subject =
      shortInput === '' ? 'a repository from defaults alone' : 'it names no registry host, so it';
    const verb = missing.length === 1 ? 'is' : 'are';
    const rule = `${subject} takes the default ${listed(needed)}, and ${listed(missing)} ${verb} not set: set ${missing.length === 1 ? 'it' : 'them'}, or write the full LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`;
    const problem = { code: 'AR_IMAGE_REF_MISSING_DEFAULT', start: 0, end: 0, whole: true, rule } as const;
    return { ok: false, error: errorFor(shortInput, problem) };
  }
  for (const name of needed) {
    const value = defaults[name] as string;
    const rule = CHECKS[name](value);
    if (rule !== undefined) {
      const problem = { code: CODES[name], start: 0, end: value.length, rule, origin: `the default ${name}` };
      return { ok: false, error: errorFor(value, problem) };
    }
    values[name] = value;
  }
  return { ok: true, value: values };
}

function listed(names: readonly string[]): string {
  return names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function repositoryPrefix(values: Record<DefaultName, string>): string {
  return `${values.location}-docker.pkg.dev/${projectIdToPath(values.project)}/`;
}

/** Runs `scan` on `prefix + text` and reports problems against `text`. */
function completing<T>(prefix: string, scan: (text: string) => Parsed<T>): (text: string) => Parsed<T> {
  return (text) => {
    const parsed = scan(prefix + text);
    return parsed.ok ? parsed : { ok: false, problem: relocate(parsed.problem, prefix.length, 0, false) };
  };
}

/**
 * Completes an image reference from defaults. A reference that names a registry host (by Docker's
 * rule: its first component contains "." or ":", is "localhost", or has uppercase) is parsed as it
 * is and the defaults are not used. Anything else is an image path, optionally with tag and digest,
 * and is placed in the default location, project and repository:
 * `completeArImage('team/app:1', { location: 'us-west1', project: 'my-project', repository: 'my-repo' })`
 * gives "us-west1-docker.pkg.dev/my-project/my-repo/team/app:1".
 */
export function tryCompleteArImage(input: string, defaults: ArDefaults): ImageRefResult<ArImageRef> {
  const rejected = admit(input);
  if (rejected !== undefined) return { ok: false, error: errorFor(input, rejected) };
  if (explicitDomain(input) !== undefined) return tryParseArImage(input);
  const values = readDefaults(defaults, ['location', 'project', 'repository'], input);
  if (!values.ok) return values;
  const prefix = `${repositoryPrefix(values.value)}${values.value.repository}/`;
  return runParser(input, completing(prefix, scanArImage));
}

/** {@link tryCompleteArImage} that throws {@link ArImageRefError}. */
export function completeArImage(input: string, defaults: ArDefaults): ArImageRef {
  return unwrap(tryCompleteArImage(input, defaults));
}

/**
 * Completes a repository reference from defaults. `undefined` takes location, project and
 * repository all from the defaults; a bare repository ID ("my-repo") takes location and project
 * from them; a reference that names a registry host is parsed as it is.
 */
export function tryCompleteArRepository(
  input: string | undefined,
  defaults: ArDefaults,
): ImageRefResult<ArRepositoryRef> {
  if (input === undefined) {
    const values = readDefaults(defaults, ['location', 'project', 'repository'], '');
    if (!values.ok) return values;
    return runParser(`${repositoryPrefix(values.value)}${values.value.repository}`, scanArRepository);
  }
  const rejected = admit(input);
  if (rejected !== undefined) return { ok: false, error: errorFor(input, rejected) };
  if (explicitDomain(input) !== undefined) return tryParseArRepository(input);
  const values = readDefaults(defaults, ['location', 'project'], input);
  if (!values.ok) return values;
  return runParser(input, completing(repositoryPrefix(values.value), scanArRepository));
}

/** {@link tryCompleteArRepository} that throws {@link ArImageRefError}. */
export function completeArRepository(input: string | undefined, defaults: ArDefaults): ArRepositoryRef {
  return unwrap(tryCompleteArRepository(input, defaults));
}
