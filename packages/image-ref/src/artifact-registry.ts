/**
 * Artifact Registry references: `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE[:TAG][@DIGEST]`,
 * the regional-endpoint form `docker.LOCATION.rep.pkg.dev/…`, and Container Registry hosts
 * (`gcr.io/PROJECT/IMAGE`), which Artifact Registry serves from a repository named after the host.
 */
import {
  plainProjectIdProblem,
  projectDomainProblem,
  projectIdToPath,
  repositoryIdProblem,
} from './ar-ids.js';
import { quote } from './display.js';
import { type ReferenceLayout, scanReference } from './docker-reference.js';
import { fail, type ImageRefResult, ok, type Parsed, runParser, unwrap } from './errors.js';
import { classifyRegistryHost } from './hosts.js';
import { type ArImageRefWarning, locationWarnings } from './location-hints.js';

/** Which kind of host a reference uses; the canonical string keeps it. */
export type ArEndpoint = 'standard' | 'regional' | 'gcr';

/** A repository: what repository-level APIs (list, IAM, cleanup policies) take. */
export interface ArRepositoryRef {
  readonly kind: 'repository';
  /** The registry host, lowercase: "us-west1-docker.pkg.dev", "docker.us-west1.rep.pkg.dev" or "gcr.io". */
  readonly host: string;
  readonly endpoint: ArEndpoint;
  readonly location: string;
  /** The project ID; a domain-scoped one in its "example.com:my-project" form. */
  readonly project: string;
  readonly repository: string;
  /** Things worth telling a person (an unknown location); never printed by this package. */
  readonly warnings: readonly ArImageRefWarning[];
}

/** An image, optionally tagged and/or pinned: what image-level APIs (pull, push, tag) take. */
export interface ArImageRef extends Omit<ArRepositoryRef, 'kind'> {
  readonly kind: 'image';
  /** The image path inside the repository; may be nested ("team/app/api"). */
  readonly image: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type ArReference = ArRepositoryRef | ArImageRef;

/** A parsed reference and where its image part starts (-1 for none), for the entry points to judge. */
interface ScannedAr {
  readonly reference: ArReference;
  readonly imageStart: number;
  readonly layout: ReferenceLayout;
}

const NO_WARNINGS: readonly ArImageRefWarning[] = Object.freeze([]);

const HOST_RULE =
  'an Artifact Registry host is LOCATION-docker.pkg.dev (e.g. "us-west1-docker.pkg.dev"), docker.LOCATION.rep.pkg.dev, or one of gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io';
const SHAPE = 'LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE';

interface Target {
  readonly host: string;
  readonly endpoint: ArEndpoint;
  readonly location: string;
  /** Set for Container Registry hosts, whose path has no repository component. */
  readonly repository?: string;
}

function targetOf(domain: string): Parsed<Target> {
  const info = classifyRegistryHost(domain);
  const notAr = (rule: string) => fail('AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY', 0, domain.length, rule);
  if (info.kind === 'other') return notAr(HOST_RULE);
  if (info.port !== undefined)
    return notAr(`Artifact Registry hosts take no port: write ${quote(info.hostname)}`);
  switch (info.kind) {
    case 'artifact-registry':
      return ok({ host: info.hostname, endpoint: 'standard', location: info.location });
    case 'artifact-registry-regional':
      return ok({ host: info.hostname, endpoint: 'regional', location: info.location });
    case 'container-registry':
      if (info.arLocation === undefined || info.arRepository === undefined) {
        return notAr(
          `${quote(info.hostname)} serves Google Cloud Marketplace images, which belong to no project repository`,
        );
      }
      return ok({
        host: info.hostname,
        endpoint: 'gcr',
        location: info.arLocation,
        repository: info.arRepository,
      });
  }
}

type Span = { readonly start: number; readonly end: number };

/** The slash-separated components of `text[start, end)`, as offsets. */
function componentsOf(text: string, start: number, end: number): Span[] {
  const components: Span[] = [];
  let componentStart = start;
  for (let i = start; i <= end; i++) {
    if (i === end || text.charCodeAt(i) === 0x2f) {
      components.push({ start: componentStart, end: i });
      componentStart = i + 1;
    }
  }
  return components;
}

/** The project ID from the first path component, or the first two for a domain-scoped project. */
function readProject(text: string, components: readonly Span[]): Parsed<{ project: string; next: number }> {
  const first = components[0]!;
  const firstText = text.slice(first.start, first.end);
  if (!firstText.includes('.')) {
    const rule = plainProjectIdProblem(firstText);
    if (rule !== undefined) return fail('AR_IMAGE_REF_INVALID_PROJECT_ID', first.start, first.end, rule);
    return ok({ project: firstText, next: 1 });
  }
  // A project ID never holds ".", so a dotted first component is the domain of "example.com:my-project".
  const domainRule = projectDomainProblem(firstText);
  if (domainRule !== undefined)
    return fail('AR_IMAGE_REF_INVALID_PROJECT_ID', first.start, first.end, domainRule);
  const second = components[1];
  if (second === undefined) {
    return fail(
      'AR_IMAGE_REF_INVALID_PROJECT_ID',
      first.start,
      first.end,
      `${quote(firstText)} is the domain of a domain-scoped project and needs the project after it: DOMAIN/PROJECT/REPOSITORY`,
    );
  }
  const secondText = text.slice(second.start, second.end);
  const rule = plainProjectIdProblem(secondText);
  if (rule !== undefined) return fail('AR_IMAGE_REF_INVALID_PROJECT_ID', second.start, second.end, rule);
  return ok({ project: `${firstText}:${secondText}`, next: 2 });
}

function scanAr(text: string): Parsed<ScannedAr> {
  const scanned = scanReference(text);
  if (!scanned.ok) return scanned;
  const { reference: docker, layout } = scanned.value;
  const { nameEnd, pathStart } = layout;
  if (docker.domain === '') {
    // "us-west1-docker.pkg.dev" alone parses as a one-component path, not as a host.
    const lone = classifyRegistryHost(docker.path).kind;
    if (lone !== 'other') {
      const shape = lone === 'container-registry' ? `${docker.path}/PROJECT/IMAGE` : SHAPE;
      return fail(
        'AR_IMAGE_REF_MISSING_REPOSITORY',
        nameEnd,
        nameEnd,
        `add the project and what follows: ${shape}`,
      );
    }
    return fail(
      'AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY',
      0,
      nameEnd,
      `it names no registry host: write ${SHAPE}, or complete a short name from defaults with completeArImage`,
    );
  }
  const target = targetOf(docker.domain);
  if (!target.ok) return target;
  const { host, endpoint, location } = target.value;

  const components = componentsOf(text, pathStart, nameEnd);
  const projectRead = readProject(text, components);
  if (!projectRead.ok) return projectRead;
  const { project } = projectRead.value;
  let next = projectRead.value.next;

  let repository = target.value.repository;
  if (repository === undefined) {
    const component = components[next++];
    if (component === undefined) {
      return fail(
        'AR_IMAGE_REF_MISSING_REPOSITORY',
        nameEnd,
        nameEnd,
        `add the repository after the project: ${SHAPE}`,
      );
    }
    repository = text.slice(component.start, component.end);
    const rule = repositoryIdProblem(repository);
    if (rule !== undefined)
      return fail('AR_IMAGE_REF_INVALID_REPOSITORY_ID', component.start, component.end, rule);
  }

  const found = locationWarnings(location, endpoint === 'regional');
  const warnings = found.length === 0 ? NO_WARNINGS : Object.freeze(found);
  const imageComponent = components[next];
  if (imageComponent === undefined) {
    const reference: ArRepositoryRef = {
      kind: 'repository',
      host,
      endpoint,
      location,
      project,
      repository,
      warnings,
    };
    return ok({ reference: Object.freeze(reference), imageStart: -1, layout });
  }
  const image = text.slice(imageComponent.start, nameEnd);
  // Built as a literal, not by spreading a shared base: spreading dominated the parse time.
  const reference: { -readonly [K in keyof ArImageRef]: ArImageRef[K] } = {
    kind: 'image',
    host,
    endpoint,
    location,
    project,
    repository,
    warnings,
    image,
  };
  if (docker.tag !== undefined) reference.tag = docker.tag;
  if (docker.digest !== undefined) reference.digest = docker.digest;
  return ok({ reference: Object.freeze(reference), imageStart: imageComponent.start, layout });
}

/** Parses an image reference; a reference without image is `AR_IMAGE_REF_MISSING_IMAGE`. */
export function scanArImage(text: string): Parsed<ArImageRef> {
  const scanned = scanAr(text);
  if (!scanned.ok) return scanned;
  const { reference, layout } = scanned.value;
  if (reference.kind === 'image') return ok(reference);
  return fail(
    'AR_IMAGE_REF_MISSING_IMAGE',
    layout.nameEnd,
    layout.nameEnd,
    `this names a repository, not an image: add "/IMAGE" after the repository (${SHAPE}[:TAG]), or parse it with parseArRepository`,
  );
}

/** Parses a repository reference; an image path, tag or digest is `AR_IMAGE_REF_NOT_A_REPOSITORY`. */
export function scanArRepository(text: string): Parsed<ArRepositoryRef> {
  const scanned = scanAr(text);
  if (!scanned.ok) return scanned;
  const { reference, imageStart, layout } = scanned.value;
  if (reference.kind === 'repository' && layout.nameEnd === text.length) return ok(reference);
  const start = imageStart >= 0 ? imageStart : layout.nameEnd;
  return fail(
    'AR_IMAGE_REF_NOT_A_REPOSITORY',
    start,
    text.length,
    'a repository reference ends at the repository ID (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY) with no image, tag or digest; parse images with parseArImage',
  );
}

export function scanArAny(text: string): Parsed<ArReference> {
  const scanned = scanAr(text);
  if (!scanned.ok) return scanned;
  const { reference, layout } = scanned.value;
  if (reference.kind === 'repository' && layout.nameEnd < text.length) {
    return fail(
      'AR_IMAGE_REF_MISSING_IMAGE',
      layout.nameEnd,
      text.length,
      `a tag or digest belongs to an image: add "/IMAGE" after the repository (${SHAPE}[:TAG])`,
    );
  }
  return ok(reference);
}

/**
 * Parses an Artifact Registry image reference, e.g.
 * "us-west1-docker.pkg.dev/my-project/my-repo/team/app:1.0". Tag and digest are both kept when
 * both are given. An unknown location parses, with a warning in `warnings`.
 */
export function tryParseArImage(input: string): ImageRefResult<ArImageRef> {
  return runParser(input, scanArImage);
}

/** {@link tryParseArImage} that throws {@link ArImageRefError}. */
export function parseArImage(input: string): ArImageRef {
  return unwrap(tryParseArImage(input));
}

/** Parses an Artifact Registry repository reference, e.g. "us-west1-docker.pkg.dev/my-project/my-repo". */
export function tryParseArRepository(input: string): ImageRefResult<ArRepositoryRef> {
  return runParser(input, scanArRepository);
}

/** {@link tryParseArRepository} that throws {@link ArImageRefError}. */
export function parseArRepository(input: string): ArRepositoryRef {
  return unwrap(tryParseArRepository(input));
}

/** Parses either kind; `kind` says which ("image" or "repository"). */
export function tryParseArReference(input: string): ImageRefResult<ArReference> {
  return runParser(input, scanArAny);
}

/** {@link tryParseArReference} that throws {@link ArImageRefError}. */
export function parseArReference(input: string): ArReference {
  return unwrap(tryParseArReference(input));
}

/** The registry host, e.g. "us-west1-docker.pkg.dev": what `docker login` and credential helpers key on. */
export function arRegistryHost(reference: ArReference): string {
  return reference.host;
}

/** The standard registry host of a location: "us-west1" → "us-west1-docker.pkg.dev". */
export function arLocationHost(location: string): string {
  return `${location}-docker.pkg.dev`;
}

/** The repository as Docker addresses it, e.g. "us-west1-docker.pkg.dev/my-project/my-repo" (or "gcr.io/my-project"). */
export function arRepositoryPath(reference: ArReference): string {
  const projectPath = projectIdToPath(reference.project);
  if (reference.endpoint === 'gcr') return `${reference.host}/${projectPath}`;
  return `${reference.host}/${projectPath}/${reference.repository}`;
}

/** The REST resource name, "projects/PROJECT/locations/LOCATION/repositories/REPOSITORY". */
export function arRepositoryResourceName(reference: ArReference): string {
  return `projects/${reference.project}/locations/${reference.location}/repositories/${reference.repository}`;
}

/** The canonical string: the inverse of the parsers, lowercase host, tag before digest. */
export function formatArReference(reference: ArReference): string {
  const repositoryPath = arRepositoryPath(reference);
  if (reference.kind === 'repository') return repositoryPath;
  let text = `${repositoryPath}/${reference.image}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}
