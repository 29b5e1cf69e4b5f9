import { sha256 } from './digest.js';
import { RegistryError } from './errors.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from './media-types.js';

/** Registries (and Artifact Registry) refuse manifests above 4 MiB; a bigger answer is not a manifest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** A manifest exactly as stored: the bytes are the truth (their hash is the digest), the rest is parsed. */
export interface ManifestBlob {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
}

export type ParsedManifest =
  | { readonly kind: 'image'; readonly manifest: ImageManifest }
  | { readonly kind: 'index'; readonly manifest: ImageIndex };

export function manifestBlob(bytes: Buffer, mediaType?: string): ManifestBlob {
  return { bytes, digest: sha256(bytes), mediaType: mediaType ?? detectManifestMediaType(bytes) };
}

/**
 * The media type of manifest bytes: their own `mediaType` field, else the OCI type their shape
 * implies (OCI allows omitting the field).
 */
export function detectManifestMediaType(bytes: Buffer): string {
  const json = parseJson(bytes, 'manifest') as { mediaType?: unknown; manifests?: unknown };
  if (typeof json.mediaType === 'string' && json.mediaType !== '') return json.mediaType;
  return Array.isArray(json.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
}

export function parseManifest(blob: Pick<ManifestBlob, 'bytes' | 'mediaType'>): ParsedManifest {
  if (blob.bytes.length > MAX_MANIFEST_BYTES) throw tooLarge(blob.bytes.length);
  const json = parseJson(blob.bytes, 'manifest') as Record<string, unknown>;
  if (json.schemaVersion !== 2)
    throw invalid(
      `schemaVersion is ${JSON.stringify(json.schemaVersion)}; only schema 2 manifests are supported`,
    );
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : blob.mediaType;
  if (!isManifestMediaType(mediaType))
    throw new RegistryError(
      'AR_REGISTRY_UNSUPPORTED_MEDIA_TYPE',
      `Manifest media type "${mediaType}" is not supported; expected one of Docker v2 schema 2, Docker manifest list, OCI image manifest or OCI image index.`,
    );
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(json.manifests)) throw invalid('an index has no "manifests" list');
    for (const entry of json.manifests) checkDescriptor(entry, 'manifests[]');
    return { kind: 'index', manifest: json as unknown as ImageIndex };
  }
  checkDescriptor(json.config, 'config');
  if (!Array.isArray(json.layers)) throw invalid('an image manifest has no "layers" list');
  for (const entry of json.layers) checkDescriptor(entry, 'layers[]');
  return { kind: 'image', manifest: json as unknown as ImageManifest };
}

function checkDescriptor(value: unknown, where: string): void {
  const d = value as Partial<Descriptor> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.digest !== 'string' ||
    typeof d.size !== 'number' ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0 ||
    typeof d.mediaType !== 'string'
  )
    throw invalid(`${where} is not a descriptor with mediaType, digest and size`);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value;
  } catch (error) {
    throw invalid(`the ${what} is not a JSON object`, error);
  }
}

function invalid(reason: string, cause?: unknown): RegistryError {
  return new RegistryError('AR_REGISTRY_MANIFEST_INVALID', `Invalid manifest: ${reason}.`, { cause });
}

export function tooLarge(size: number): RegistryError {
  return new RegistryError(
    'AR_REGISTRY_MANIFEST_TOO_LARGE',
    `The manifest is ${size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit registries enforce; it cannot be stored or pulled.`,
  );
}

/** `linux/amd64`, `linux/arm64/v8`: the form docker and skopeo accept on the command line. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length > 0)
    throw new RegistryError(
      'AR_REGISTRY_INVALID_ARGUMENT',
      `Platform "${text}" is not OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8.`,
    );
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

const NODE_ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

/** The platform of this machine as images name it (`linux/amd64` on x64 Linux). */
export function hostPlatform(): Platform {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return { os, architecture: NODE_ARCHITECTURES[process.arch] ?? process.arch };
}

/** Normalised variants, as containerd does: arm64 without variant is v8. */
function variantOf(platform: Platform): string | undefined {
  if (platform.variant) return platform.variant;
  return platform.architecture === 'arm64' ? 'v8' : undefined;
}

export function platformMatches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (!candidate) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  const wantedVariant = variantOf(wanted);
  return wantedVariant === undefined || variantOf(candidate) === wantedVariant;
}

/** The descriptor of the image for `platform` in an index; attestation entries (`unknown/unknown`) never match. */
export function selectPlatform(index: ImageIndex, platform: Platform): Descriptor {
  const found = index.manifests.find((entry) => platformMatches(entry.platform, platform));
  if (found) return found;
  const offered = index.manifests
    .map((entry) => (entry.platform ? formatPlatform(entry.platform) : undefined))
    .filter((p): p is string => p !== undefined && p !== 'unknown/unknown');
  throw new RegistryError(
    'AR_REGISTRY_PLATFORM_NOT_FOUND',
    `The image index has no manifest for ${formatPlatform(platform)}; it offers ${offered.join(', ') || 'none'}. ` +
      'Choose one of those platforms, or copy all platforms.',
  );
}

/** Serialises a manifest the way registries and tools do (no spaces), so digests are stable. */
export function encodeManifest(manifest: ImageManifest | ImageIndex): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}
