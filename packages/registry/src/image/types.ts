import type { Readable } from 'node:stream';
import type { BlobSource } from '../client.js';
import type { Descriptor, ManifestBlob } from '../manifest.js';
import type { RepositoryRef } from '../reference.js';

export interface SourceReadOptions {
  readonly signal?: AbortSignal;
  /** For `openBlob`: called with the running count of bytes the stream has delivered. */
  readonly onProgress?: (bytes: number) => void;
}

/** Where an image comes from: a registry, an OCI layout folder, a docker-save tar. */
export interface ImageSource {
  /** For messages: `oci:/tmp/layout:1.0`, `127.0.0.1:5000/app:1`. */
  readonly description: string;
  /** True when `openBlob` streams fail on bytes that do not match the descriptor. */
  readonly verifiesBlobs: boolean;
  /** The repository blobs can be mounted from, for a registry source. */
  readonly mountableFrom?: RepositoryRef;
  /** The name images get in a docker tar written from this source (`host/repo`). */
  readonly imageName?: string;
  /** The manifest or index the reference names. */
  root(options?: SourceReadOptions): Promise<ManifestBlob>;
  /** A manifest by descriptor (a child of an index), verified against its digest. */
  manifest(descriptor: Descriptor, options?: SourceReadOptions): Promise<ManifestBlob>;
  openBlob(descriptor: Descriptor, options?: SourceReadOptions): Promise<Readable>;
  close(): Promise<void>;
}

export type BlobWriteResult = 'exists' | 'mounted' | 'written';

export interface BlobWriteOptions {
  readonly signal?: AbortSignal;
  readonly mountFrom?: RepositoryRef;
}

export interface ManifestWriteOptions {
  readonly signal?: AbortSignal;
  /** The manifest the reference names (an index or a lone image), as opposed to an index's child. */
  readonly root: boolean;
  /** Tags to give the root; none: stored by digest only. */
  readonly tags?: readonly string[];
  /** `host/repo` of the image, for formats that record names (docker tar RepoTags). */
  readonly imageName?: string;
}

/**
 * Where an image goes. A copy writes every blob, then child manifests, then the root manifest,
 * then commits: a sink makes nothing visible (a tag, an index.json entry, a tar file) before that.
 */
export interface ImageSink {
  readonly description: string;
  /** False when the format holds single images only (docker tar): an index is resolved to one platform. */
  readonly acceptsIndex: boolean;
  /** Blob writes the sink can take at once (a tar is written sequentially). */
  readonly maxConcurrency: number;
  /** True when the sink itself checks digests (a registry does, on PUT). */
  readonly verifiesBlobs: boolean;
  /** True when the sink can take blobs by mount from `mountFrom`. */
  readonly canMount?: (from: RepositoryRef) => boolean;
  writeBlob(descriptor: Descriptor, source: BlobSource, options?: BlobWriteOptions): Promise<BlobWriteResult>;
  writeManifest(manifest: ManifestBlob, options: ManifestWriteOptions): Promise<void>;
  /** Makes everything written visible, atomically where the format allows. */
  commit(): Promise<void>;
  /** Removes everything written since the sink was opened. */
  abort(): Promise<void>;
}
