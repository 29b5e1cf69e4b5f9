import type { Readable } from 'node:stream';
import type { BlobSource, RegistryClient } from '../client.js';
import type { Descriptor, ManifestBlob } from '../manifest.js';
import { formatRepository, type ImageRef, type RepositoryRef } from '../reference.js';
import type {
  BlobWriteOptions,
  BlobWriteResult,
  ImageSink,
  ImageSource,
  ManifestWriteOptions,
  SourceReadOptions,
} from './types.js';

export class RegistryImageSource implements ImageSource {
  // The client's openBlob fails a stream whose bytes do not match.
  readonly verifiesBlobs = true;

  constructor(
    readonly client: RegistryClient,
    readonly ref: ImageRef,
  ) {}

  get description(): string {
    return `${formatRepository(this.ref)}${this.ref.digest ? `@${this.ref.digest}` : `:${this.ref.tag ?? 'latest'}`}`;
  }

  get mountableFrom(): RepositoryRef {
    return { registry: this.ref.registry, repository: this.ref.repository };
  }

  get imageName(): string {
    return formatRepository(this.ref);
  }

  root(options: SourceReadOptions = {}): Promise<ManifestBlob> {
    return this.client.getManifest(this.ref, options);
  }

  manifest(descriptor: Descriptor, options: SourceReadOptions = {}): Promise<ManifestBlob> {
    return this.client.getManifest({ ...this.mountableFrom, digest: descriptor.digest }, options);
  }

  openBlob(descriptor: Descriptor, options: SourceReadOptions = {}): Promise<Readable> {
    return this.client.openBlob(this.mountableFrom, descriptor, options);
  }

  async close(): Promise<void> {}
}

export class RegistryImageSink implements ImageSink {
  readonly acceptsIndex = true;
  readonly maxConcurrency = Number.POSITIVE_INFINITY;
  // The registry hashes what a PUT delivers and refuses a mismatch.
  readonly verifiesBlobs = true;

  constructor(
    readonly client: RegistryClient,
    readonly ref: RepositoryRef,
  ) {}

  get description(): string {
    return formatRepository(this.ref);
  }

  canMount = (from: RepositoryRef): boolean => from.registry === this.ref.registry;

  async writeBlob(
    descriptor: Descriptor,
    source: BlobSource,
    options: BlobWriteOptions = {},
  ): Promise<BlobWriteResult> {
    const result = await this.client.pushBlob(this.ref, descriptor, source, options);
    return result === 'uploaded' ? 'written' : result;
  }

  async writeManifest(manifest: ManifestBlob, options: ManifestWriteOptions): Promise<void> {
    const tags = options.root ? (options.tags ?? []) : [];
    if (tags.length === 0) {
      await this.client.putManifest(this.ref, manifest.digest, manifest, options);
      return;
    }
    for (const tag of tags) await this.client.putManifest(this.ref, tag, manifest, options);
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {}
}
