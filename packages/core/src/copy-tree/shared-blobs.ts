import type {
  BlobSource,
  BlobWriteOptions,
  BlobWriteResult,
  Descriptor,
  ImageSink,
  ManifestBlob,
  ManifestWriteOptions,
  RegistryImageSink,
  RepositoryRef,
} from '@ar/registry';
import type pLimit from 'p-limit';

/**
 * Where each blob of a run has landed in the destination registry (or is landing): digest → the
 * repository that holds it. Shared by every image of the run, so a layer common to many images
 * crosses the network once and is mounted everywhere else.
 */
export type BlobLedger = Map<string, Promise<string>>;

/**
 * A registry sink that consults the run's ledger before writing a blob: a blob already in this
 * repository is skipped, one in (or on its way to) another repository of the destination is
 * mounted from there, and only the first image that needs a blob sends it. Every blob write waits
 * for a slot of the run's blob limit.
 */
export class SharedBlobSink implements ImageSink {
  readonly acceptsIndex = true;
  readonly maxConcurrency = Number.POSITIVE_INFINITY;
  readonly verifiesBlobs = true;
  readonly canMount: (from: RepositoryRef) => boolean;

  constructor(
    private readonly inner: RegistryImageSink,
    private readonly ledger: BlobLedger,
    private readonly limit: ReturnType<typeof pLimit>,
  ) {
    this.canMount = inner.canMount;
  }

  get description(): string {
    return this.inner.description;
  }

  async writeBlob(
    d: Descriptor,
    source: BlobSource,
    options: BlobWriteOptions = {},
  ): Promise<BlobWriteResult> {
    const here = this.inner.ref.repository;
    // Looked up and recorded without an await between: two images never both send a blob.
    const pending = this.ledger.get(d.digest);
    if (pending === undefined) return this.#send(d, source, options);
    const earlier = await pending.catch(() => undefined);
    if (earlier === here) return 'exists';
    // A write that failed elsewhere leaves no trace: this image sends the blob itself.
    if (earlier === undefined) return this.#send(d, source, options);
    const mountFrom = options.mountFrom ?? { registry: this.inner.ref.registry, repository: earlier };
    return this.limit(() => this.inner.writeBlob(d, source, { ...options, mountFrom }));
  }

  #send(d: Descriptor, source: BlobSource, options: BlobWriteOptions): Promise<BlobWriteResult> {
    const write = this.limit(() => this.inner.writeBlob(d, source, options));
    const landed = write.then(() => this.inner.ref.repository);
    landed.catch(() => {}); // the failure is this image's, reported through `write`
    this.ledger.set(d.digest, landed);
    return write;
  }

  writeManifest(manifest: ManifestBlob, options: ManifestWriteOptions): Promise<void> {
    return this.inner.writeManifest(manifest, options);
  }

  commit(): Promise<void> {
    return this.inner.commit();
  }

  abort(): Promise<void> {
    return this.inner.abort();
  }
}
