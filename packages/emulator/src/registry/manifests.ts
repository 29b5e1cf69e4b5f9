import { EmulatorError } from '../errors.js';
import { DIGEST } from '../names.js';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const SUPPORTED = new Set<string>(Object.values(MEDIA_TYPES));
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]);
/** Foreign layers live elsewhere (their `urls`); registries do not hold them. */
const FOREIGN_LAYERS = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

/** AR refuses manifests over 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  config: Descriptor | undefined;
  /** Blobs the registry must hold: config and (non-foreign) layers. */
  blobs: Descriptor[];
  /** Child manifests of an index. */
  children: Descriptor[];
}

function invalid(message: string): EmulatorError {
  return new EmulatorError('AR_EMULATOR_MANIFEST_INVALID', `Manifest invalid: ${message}`);
}

function descriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw invalid(`${where} is not a descriptor object.`);
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.digest !== 'string' || !DIGEST.test(candidate.digest)) {
    throw invalid(`${where}.digest ${JSON.stringify(candidate.digest)} is not a sha256 digest.`);
  }
  if (typeof candidate.size !== 'number' || !Number.isSafeInteger(candidate.size) || candidate.size < 0) {
    throw invalid(`${where}.size must be a non-negative integer.`);
  }
  if (typeof candidate.mediaType !== 'string') throw invalid(`${where}.mediaType is missing.`);
  return { mediaType: candidate.mediaType, digest: candidate.digest, size: candidate.size };
}

/**
 * Checks a manifest's shape and lists what it references. The media type is the Content-Type
 * the client sent, or the body's own `mediaType` when the header is generic.
 */
export function parseManifest(content: Buffer, contentType: string | undefined): ParsedManifest {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('the body is not JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('the body is not a JSON object.');
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  let mediaType = header !== undefined && SUPPORTED.has(header) ? header : declared;
  if (mediaType === undefined) {
    mediaType = Array.isArray(body.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  }
  if (!SUPPORTED.has(mediaType)) {
    throw invalid(
      `media type ${mediaType} is not supported: use Docker v2 schema 2, a Docker manifest list, an OCI manifest or an OCI index.`,
    );
  }
  if (declared !== undefined && declared !== mediaType) {
    throw invalid(`the body says mediaType ${declared} but was sent as ${mediaType}.`);
  }
  if (body.schemaVersion !== 2) throw invalid('schemaVersion must be 2.');
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(body.manifests)) throw invalid('an index needs a "manifests" array.');
    const children = body.manifests.map((entry, index) => descriptor(entry, `manifests[${index}]`));
    return { mediaType, isIndex: true, config: undefined, blobs: [], children };
  }
  const config = descriptor(body.config, 'config');
  if (!Array.isArray(body.layers)) throw invalid('an image manifest needs a "layers" array.');
  const layers = body.layers.map((entry, index) => descriptor(entry, `layers[${index}]`));
  const blobs = [config, ...layers.filter((layer) => !FOREIGN_LAYERS.has(layer.mediaType))];
  return { mediaType, isIndex: false, config, blobs, children: [] };
}

export const MANIFEST_ACCEPT = [...SUPPORTED].join(', ');
