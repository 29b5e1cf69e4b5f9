import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A tree of images for `copy --recursive` tests and benches, pushed straight through a registry
 * client (no engine, no disk): repositories with several tags, layers shared between images, a
 * multi-platform index, and a repository outside the prefix. Layer bytes are random per build, so
 * two builds never share blobs.
 */

/** What the builder needs of `@ar/registry`'s `RegistryClient` (kept structural: no dependency). */
export interface TreePushClient {
  pushBlob(
    ref: { registry: string; repository: string },
    descriptor: { mediaType: string; digest: string; size: number },
    source: { open(): Promise<Readable> },
  ): Promise<unknown>;
  putManifest(
    ref: { registry: string; repository: string },
    reference: string,
    manifest: { bytes: Buffer; digest: string; mediaType: string },
  ): Promise<unknown>;
}

export interface TreeImageSpec {
  /** Repository path below the tree's root, e.g. `team/web`. */
  readonly repository: string;
  readonly tags: readonly string[];
  /** Names of the layers; a name used by several images is one shared blob. */
  readonly layers: readonly string[];
  /** Two or more platforms make a multi-platform index of one manifest each. */
  readonly platforms?: readonly string[];
}

export interface BuiltTreeImage extends TreeImageSpec {
  /** Digest of the manifest (or the index) the tags name. */
  readonly digest: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * The standard tree under `team/` (20 images in 7 repositories, one of them a two-platform index;
 * a base layer shared by all, runtime layers shared by several) and one image in `outside/app`,
 * which a copy of `team` must leave alone.
 */
export function standardTree(): TreeImageSpec[] {
  const images: TreeImageSpec[] = [];
  const repositories: Array<[string, string[]]> = [
    ['team/web', ['base', 'node']],
    ['team/api', ['base', 'node']],
    ['team/worker', ['base', 'python']],
    ['team/tools/cli', ['base', 'go']],
    ['team/tools/lint', ['base', 'go']],
    ['team/db', ['base', 'python']],
  ];
  for (const [repository, shared] of repositories) {
    const name = repository.replaceAll('/', '-');
    images.push({ repository, tags: ['1.0', 'stable'], layers: [...shared, `${name}-app-1`] });
    images.push({ repository, tags: ['1.1'], layers: [...shared, `${name}-app-2`] });
    images.push({ repository, tags: ['1.2', 'latest'], layers: [...shared, `${name}-app-3`] });
  }
  images.push({
    repository: 'team/multi',
    tags: ['1', 'latest'],
    layers: ['base', 'multi-app'],
    platforms: ['linux/amd64', 'linux/arm64'],
  });
  images.push({ repository: 'team/multi', tags: ['0.9'], layers: ['base', 'multi-old'] });
  images.push({ repository: 'outside/app', tags: ['1'], layers: ['base', 'outside-app'] });
  return images;
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Pushes `images` under `registry`/`root`: every blob first, then child manifests, then each
 * root by its tags. Layers are `layerBytes` random bytes each.
 */
export async function pushImageTree(
  client: TreePushClient,
  registry: string,
  root: string,
  images: readonly TreeImageSpec[],
  options: { layerBytes?: number } = {},
): Promise<BuiltTreeImage[]> {
  const layerBytes = options.layerBytes ?? 32 * 1024;
  const layers = new Map<string, Buffer>();
  const layerOf = (name: string) => {
    const bytes = layers.get(name) ?? randomBytes(layerBytes);
    layers.set(name, bytes);
    return bytes;
  };
  const built: BuiltTreeImage[] = [];
  for (const spec of images) {
    const ref = { registry, repository: root ? `${root}/${spec.repository}` : spec.repository };
    const blob = async (bytes: Buffer, mediaType: string) => {
      const descriptor = { mediaType, digest: digestOf(bytes), size: bytes.length };
      await client.pushBlob(ref, descriptor, { open: async () => Readable.from([bytes]) });
      return descriptor;
    };
    const manifestFor = async (platform: string) => {
      const [os, architecture] = platform.split('/');
      const layerDescriptors = [];
      for (const name of spec.layers) layerDescriptors.push(await blob(layerOf(name), OCI_LAYER));
      const config = Buffer.from(
        JSON.stringify({
          architecture,
          os,
          config: { Labels: { image: `${spec.repository}:${spec.tags.join(',')}` } },
          rootfs: { type: 'layers', diff_ids: layerDescriptors.map((d) => d.digest) },
        }),
      );
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: await blob(config, OCI_CONFIG),
          layers: layerDescriptors,
        }),
      );
      return { bytes, digest: digestOf(bytes), mediaType: OCI_MANIFEST, os, architecture };
    };
    const platforms = spec.platforms ?? ['linux/amd64'];
    let rootManifest: { bytes: Buffer; digest: string; mediaType: string };
    if (platforms.length === 1) {
      rootManifest = await manifestFor(platforms[0]!);
    } else {
      const children = [];
      for (const platform of platforms) {
        const child = await manifestFor(platform);
        await client.putManifest(ref, child.digest, child);
        children.push(child);
      }
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: children.map((child) => ({
            mediaType: child.mediaType,
            digest: child.digest,
            size: child.bytes.length,
            platform: { os: child.os, architecture: child.architecture },
          })),
        }),
      );
      rootManifest = { bytes, digest: digestOf(bytes), mediaType: OCI_INDEX };
    }
    for (const tag of spec.tags) await client.putManifest(ref, tag, rootManifest);
    built.push({ ...spec, digest: rootManifest.digest });
  }
  return built;
}
