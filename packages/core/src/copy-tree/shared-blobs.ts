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
 * Where each blob of a run is in the destination registry, or is being written: digest →
 * repository → the write. Shared by every image of the run, so a layer common to many images
 * crosses the network once and is mounted everywhere else, and no two images write the same blob
 * into the same repository at once (distribution's filesystem storage rewrites the link file in
 * place, so a manifest checked during a second write of it can see a half-written link).
 */
export type BlobLedger = Map<string, Map<string, Promise<BlobWriteResult>>>;

/**
 * A registry sink that consults the run's ledger before writing a blob: a blob written (or being
 * written) into this repository by another image is awaited and counted as there; one in another
 * repository of the destination is mounted from there once it has landed; only the first image
 * that needs a blob sends it. Every blob write waits for a slot of the run's blob limit.
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
    const places = this.ledger.get(d.digest) ?? new Map<string, Promise<BlobWriteResult>>();
    this.ledger.set(d.digest, places);
    // Looked up and recorded with no await in between: one write per blob and repository.
    const pending = places.get(here);
    if (pending !== undefined && (await succeeded(pending))) return 'exists';
    const elsewhere = [...places].find(([repository]) => repository !== here);
    const write = this.#write(d, source, options, elsewhere);
    places.set(here, write);
    return write;
  }

  async #write(
    d: Descriptor,
    source: BlobSource,
    options: BlobWriteOptions,
    elsewhere: [string, Promise<BlobWriteResult>] | undefined,
  ): Promise<BlobWriteResult> {
    // Mount from the repository that has it once it has landed; if that write failed, send it.
    const from =
      options.mountFrom ??
      (elsewhere !== undefined && (await succeeded(elsewhere[1]))
        ? { registry: this.inner.ref.registry, repository: elsewhere[0] }
        : undefined);
    return this.limit(() =>
      this.inner.writeBlob(d, source, { ...options, ...(from ? { mountFrom: from } : {}) }),
    );
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

/** Whether a write (of another image) succeeded; its failure is that image's to report. */
function succeeded(write: Promise<unknown>): Promise<boolean> {
  return write.then(
    () => true,
    () => false,
  );
}
