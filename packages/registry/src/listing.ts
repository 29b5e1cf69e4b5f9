/**
 * Artifact Registry's (and gcr.io's) extension of `tags/list`: besides `tags`, a `manifest` map
 * of digest → { imageSizeBytes, mediaType, tag, timeCreatedMs, timeUploadedMs } and a `child`
 * list of sub-repositories, as go-containerregistry's `google.List` reads it.
 */
export interface ImageSummary {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly mediaType?: string;
  /** Total image size (manifest, config and layers) as the registry reports it. */
  readonly sizeBytes?: number;
  readonly created?: Date;
  readonly uploaded?: Date;
}

export interface TagListing {
  readonly name: string;
  readonly tags: readonly string[];
  /** Present when the registry speaks the Google extension; else undefined. */
  readonly images?: readonly ImageSummary[];
  /** Child repositories (Google extension); empty otherwise. */
  readonly children: readonly string[];
}

interface RawTagPage {
  name?: unknown;
  tags?: unknown;
  manifest?: unknown;
  child?: unknown;
}

interface RawManifestInfo {
  imageSizeBytes?: unknown;
  mediaType?: unknown;
  tag?: unknown;
  timeCreatedMs?: unknown;
  timeUploadedMs?: unknown;
}

export function parseTagPage(json: unknown): TagListing {
  const page = (typeof json === 'object' && json !== null ? json : {}) as RawTagPage;
  const tags = strings(page.tags);
  const children = strings(page.child);
  let images: ImageSummary[] | undefined;
  if (typeof page.manifest === 'object' && page.manifest !== null) {
    images = Object.entries(page.manifest as Record<string, RawManifestInfo>).map(([digest, info]) => {
      const size = toNumber(info?.imageSizeBytes);
      const created = toDate(info?.timeCreatedMs);
      const uploaded = toDate(info?.timeUploadedMs);
      return {
        digest,
        tags: strings(info?.tag),
        ...(typeof info?.mediaType === 'string' ? { mediaType: info.mediaType } : {}),
        ...(size !== undefined ? { sizeBytes: size } : {}),
        ...(created ? { created } : {}),
        ...(uploaded ? { uploaded } : {}),
      };
    });
  }
  return {
    name: typeof page.name === 'string' ? page.name : '',
    tags,
    children,
    ...(images ? { images } : {}),
  };
}

/** Merges pages: a paginated listing repeats `name`; tags, images and children accumulate. */
export function mergeTagPages(pages: readonly TagListing[]): TagListing {
  const tags: string[] = [];
  const children: string[] = [];
  const images = new Map<string, ImageSummary>();
  let google = false;
  for (const page of pages) {
    tags.push(...page.tags);
    children.push(...page.children);
    if (page.images) {
      google = true;
      for (const image of page.images) images.set(image.digest, image);
    }
  }
  return {
    name: pages[0]?.name ?? '',
    tags,
    children: [...new Set(children)],
    ...(google ? { images: [...images.values()] } : {}),
  };
}

/** The next page of a `Link: <url>; rel="next"` header (RFC 8288), resolved against the request. */
export function nextLink(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && /rel="?next"?/i.test(match[2] ?? '')) return new URL(match[1] ?? '', base);
  }
  return undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** AR sends 64-bit numbers as strings (JSON has no int64). */
function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function toDate(value: unknown): Date | undefined {
  const n = toNumber(value);
  return n === undefined || n <= 0 ? undefined : new Date(n);
}
