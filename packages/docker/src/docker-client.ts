import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArResolvedConfig } from '@ar/config';
import { formatReference, parseDockerRef } from '@ar/image-ref';
import {
  type CredentialProvider,
  RegistryClient,
  type ProgressEvent as RegistryProgressEvent,
  pull as registryPull,
  push as registryPush,
} from '@ar/registry';
import { resolveEngineConnection } from './connection.js';
import { DockerodeEngine } from './dockerode-engine.js';
import type {
  EngineImage,
  EngineImageDetails,
  EngineInfo,
  ImageEngine,
  ListImagesOptions,
  LoadResult,
  OperationOptions,
  RemoveImageOptions,
} from './engine.js';
import { abortedError } from './engine-errors.js';
import { DockerError } from './errors.js';
import type { EngineProgressEvent, ProgressListener } from './progress.js';
import { engineServerAddress, type RegistryAuth, registryAuthFor } from './registry-auth.js';

/**
 * How a push leaves the machine. `engine`: the engine pushes (`docker push`), with a login made
 * for this push. `direct`: the engine only exports (`docker save`) and @ar/registry uploads, in
 * parallel, with mounts and skips of existing blobs; the engine never sees a credential.
 */
export type PushVia = 'engine' | 'direct';
/** How a pull arrives. `engine`: `docker pull`. `registry`: @ar/registry downloads, then `docker load`. */
export type PullVia = 'engine' | 'registry';

export interface DockerClientOptions {
  /** The engine to use; default a `DockerodeEngine` for `config.docker`. */
  readonly engine?: ImageEngine;
  /** Registry logins; default `createAuth(config).registryCredential` of @ar/auth (Google credentials only to Google hosts). */
  readonly credentials?: CredentialProvider;
  /** The registry client for `direct` pushes and `registry` pulls; default one from the config (closed by `close()`). */
  readonly registry?: RegistryClient;
  /** Where the direct paths spool `docker save` / `docker load` tars; default the OS temp dir. */
  readonly tempDir?: string;
  /** Where `docker.host` came from, for messages (`originOf('docker.host')` of @ar/config). */
  readonly hostOrigin?: string;
}

export interface PushOptions extends OperationOptions {
  /** An image in the engine (name, `name:tag` or ID) to tag as the reference first, as `docker tag` would. */
  readonly source?: string;
  /** Default `engine` (see the README for why and for the measurements). */
  readonly via?: PushVia;
  /**
   * `direct` only: gzip the uncompressed layers `docker save` exports, as `docker push` does
   * (each layer is compressed twice: once for its digest, once on upload). Default false: they
   * go as they are, fastest, larger in the registry.
   */
  readonly compressLayers?: boolean;
  readonly onProgress?: ProgressListener;
}

export interface PushResult {
  /** `host/repo:tag` pushed. */
  readonly reference: string;
  /** The manifest digest the registry holds. */
  readonly digest: string | undefined;
  readonly via: PushVia;
}

export interface PullOptions extends OperationOptions {
  /** Default `engine`. */
  readonly via?: PullVia;
  /** `os/arch[/variant]` out of a multi-platform image; default the engine's own. */
  readonly platform?: string;
  readonly onProgress?: ProgressListener;
}

export interface PullResult {
  /** `host/repo:tag` or `host/repo@sha256:…` pulled. */
  readonly reference: string;
  /** The manifest digest pulled. */
  readonly digest: string | undefined;
  /** The image ID in the engine (`sha256:…` of its config). */
  readonly imageId: string;
  readonly via: PullVia;
}

/**
 * The seed's `docker tag` / `docker push` / `docker pull`, done from code against an engine
 * with logins from @ar/auth: a user never runs `docker login`, and every push or pull gets a
 * credential fetched for it (the auth cache hands out tokens with at least ten minutes left).
 */
export class DockerClient {
  readonly engine: ImageEngine;
  readonly #config: ArResolvedConfig;
  readonly #tempDir: string;
  #credentials: CredentialProvider | undefined;
  #registry: RegistryClient | undefined;
  readonly #ownsRegistry: boolean;

  constructor(config: ArResolvedConfig, options: DockerClientOptions = {}) {
    this.#config = config;
    this.engine =
      options.engine ??
      new DockerodeEngine(
        resolveEngineConnection(config.docker, options.hostOrigin ? { origin: options.hostOrigin } : {}),
      );
    this.#credentials = options.credentials;
    this.#registry = options.registry;
    this.#ownsRegistry = options.registry === undefined;
    this.#tempDir = options.tempDir ?? tmpdir();
  }

  info(options?: OperationOptions): Promise<EngineInfo> {
    return this.engine.info(options);
  }

  list(options?: ListImagesOptions): Promise<EngineImage[]> {
    return this.engine.listImages(options);
  }

  inspect(image: string, options?: OperationOptions): Promise<EngineImageDetails> {
    return this.engine.inspectImage(image, options);
  }

  /** `docker tag`: the target is validated (and normalized) by @ar/image-ref first. */
  async tag(source: string, target: string, options?: OperationOptions): Promise<string> {
    const ref = parseDockerRef(target);
    if (ref.digest !== undefined)
      throw new DockerError(
        'AR_DOCKER_INVALID_ARGUMENT',
        `Cannot tag ${source} as ${target}: a tag target cannot hold a digest. Use NAME:TAG.`,
      );
    const normalized = formatReference(ref);
    await this.engine.tagImage(source, normalized, options);
    return normalized;
  }

  remove(image: string, options?: RemoveImageOptions): Promise<{ untagged: string[]; deleted: string[] }> {
    return this.engine.removeImage(image, options);
  }

  save(images: string | readonly string[], options?: OperationOptions): Promise<Readable> {
    return this.engine.saveImage(images, options);
  }

  load(tar: Readable, options?: OperationOptions & { onProgress?: ProgressListener }): Promise<LoadResult> {
    return this.engine.loadImage(tar, options);
  }

  /** Pushes `reference` (tagging `source` as it first, when given) by the engine or directly. */
  async push(reference: string, options: PushOptions = {}): Promise<PushResult> {
    const ref = parseDockerRef(reference);
    if (ref.digest !== undefined)
      throw new DockerError(
        'AR_DOCKER_INVALID_ARGUMENT',
        `Cannot push to ${reference}: push to a tag (NAME:TAG); the registry gives the digest.`,
      );
    const target = formatReference(ref);
    const via = options.via ?? 'engine';
    if (options.source !== undefined) await this.engine.tagImage(options.source, target, options);
    if (via === 'engine') {
      const auth = await this.#engineAuth(ref.domain, options.signal);
      const result = await this.engine.pushImage(target, {
        ...(auth ? { auth } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { reference: result.reference, digest: result.digest, via };
    }
    if (via !== 'direct') throw invalidVia('push', via, ['engine', 'direct']);
    return this.#withSpool(async (tarPath) => {
      options.onProgress?.({ type: 'status', status: `Exporting ${target} from the engine` });
      const tar = await this.engine.saveImage(target, options);
      await this.#spool(tar, tarPath, 'save', target, options.signal);
      options.onProgress?.({ type: 'status', status: `Pushing ${target}` });
      const result = await registryPush(
        this.#registryClient(),
        { kind: 'docker-archive', path: tarPath },
        target,
        {
          ...(options.compressLayers ? { compressLayers: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: layerProgress('push', options.onProgress) } : {}),
        },
      );
      return { reference: target, digest: result.images[0]?.digest, via };
    });
  }

  /** Pulls `reference` into the engine by the engine or through @ar/registry and `docker load`. */
  async pull(reference: string, options: PullOptions = {}): Promise<PullResult> {
    const ref = parseDockerRef(reference);
    const target = formatReference(ref);
    const via = options.via ?? 'engine';
    if (via === 'engine') {
      const auth = await this.#engineAuth(ref.domain, options.signal);
      const result = await this.engine.pullImage(target, {
        ...(auth ? { auth } : {}),
        ...(options.platform ? { platform: options.platform } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const image = await this.engine.inspectImage(target, options);
      return {
        reference: result.reference,
        digest: result.digest ?? soleRepoDigest(image, ref.name),
        imageId: image.id,
        via,
      };
    }
    if (via !== 'registry') throw invalidVia('pull', via, ['engine', 'registry']);
    return this.#withSpool(async (tarPath) => {
      const copied = await registryPull(
        this.#registryClient(),
        target,
        { kind: 'docker-archive', path: tarPath },
        {
          ...(options.platform ? { platform: options.platform } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: layerProgress('pull', options.onProgress) } : {}),
        },
      );
      options.onProgress?.({ type: 'status', status: `Loading ${target} into the engine` });
      const loaded = await this.engine.loadImage(createReadStream(tarPath), options);
      // A tagged pull is inspected by name; a pull by digest loads untagged, named by its ID.
      const name = ref.digest === undefined ? target : loaded.images.find((i) => i.startsWith('sha256:'));
      if (name === undefined)
        throw new DockerError(
          'AR_DOCKER_LOAD_FAILED',
          `The engine loaded ${target} but did not say which image ID it got (it said: ${loaded.images.join(', ') || 'nothing'}).`,
        );
      const image = await this.engine.inspectImage(name, options);
      return { reference: target, digest: copied.images[0]?.digest, imageId: image.id, via };
    });
  }

  /** Closes the registry client this client made (an injected one is the caller's to close). */
  async close(): Promise<void> {
    if (this.#ownsRegistry && this.#registry) await this.#registry.close();
    this.#registry = undefined;
    await this.engine.close();
  }

  async #engineAuth(host: string, signal: AbortSignal | undefined): Promise<RegistryAuth | undefined> {
    const credential = await (await this.#credentialProvider())(host, signal ? { signal } : {});
    return credential ? registryAuthFor(engineServerAddress(host), credential) : undefined;
  }

  async #credentialProvider(): Promise<CredentialProvider> {
    if (!this.#credentials) {
      // Loaded on first use: tag, list and save need no credentials and no google-auth-library.
      const { createAuth } = await import('@ar/auth');
      const auth = createAuth(this.#config);
      this.#credentials = (host, options) => auth.registryCredential(host, options);
    }
    return this.#credentials;
  }

  #registryClient(): RegistryClient {
    if (!this.#registry) {
      const provider: CredentialProvider = async (host, options) =>
        (await this.#credentialProvider())(host, options);
      this.#registry = RegistryClient.fromConfig(this.#config, { credentials: provider });
    }
    return this.#registry;
  }

  /**
   * A private temp dir for the direct paths, removed afterwards whatever happens. @ar/registry
   * reads a docker tar by random access (parallel uploads, re-opened on retry) and writes one
   * atomically by rename, so the engine's save stream and the load input go through a file.
   */
  async #withSpool<T>(work: (tarPath: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(this.#tempDir, 'ar-docker-'));
    try {
      return await work(join(dir, 'image.tar'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #spool(
    from: Readable,
    path: string,
    operation: 'save',
    subject: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    try {
      await pipeline(from, createWriteStream(path), signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw abortedError(operation, subject, error);
      if (error instanceof DockerError) throw error;
      throw new DockerError(
        'AR_DOCKER_SAVE_FAILED',
        `Exporting ${subject} from the engine to ${path} failed: ${(error as Error).message}. Check free space in the temp dir (tempDir option), or push via the engine.`,
        { cause: error },
      );
    }
  }
}

/** A DockerClient for the config: its engine (`docker` section) and its credentials. */
export function createDockerClient(
  config: ArResolvedConfig,
  options: DockerClientOptions = {},
): DockerClient {
  return new DockerClient(config, options);
}

/**
 * The manifest digest an engine recorded for a repository, when it recorded exactly one: Podman
 * 4.3 does not report the digest in its pull stream, but records it like dockerd does.
 */
function soleRepoDigest(image: EngineImage, name: string): string | undefined {
  const digests = image.repoDigests
    .filter((d) => d.startsWith(`${name}@`))
    .map((d) => d.slice(name.length + 1));
  return digests.length === 1 ? digests[0] : undefined;
}

function invalidVia(operation: string, via: string, known: string[]): DockerError {
  return new DockerError(
    'AR_DOCKER_INVALID_ARGUMENT',
    `Unknown ${operation} path "${via}": use ${known.map((k) => `"${k}"`).join(' or ')}.`,
  );
}

/** The registry client's blob progress as the same layer events the engine paths give. */
function layerProgress(
  operation: 'push' | 'pull',
  listener: (event: EngineProgressEvent) => void,
): (event: RegistryProgressEvent) => void {
  return (event) => {
    if (event.type !== 'blob') return;
    const phase =
      event.state === 'transferring'
        ? operation === 'push'
          ? 'pushing'
          : 'downloading'
        : event.state === 'done'
          ? operation === 'push'
            ? 'pushed'
            : 'downloaded'
          : event.state === 'failed'
            ? 'retrying'
            : event.state;
    listener({
      type: 'layer',
      id: event.digest.slice('sha256:'.length, 'sha256:'.length + 12),
      phase,
      status: event.state,
      current: event.bytes,
      total: event.size,
    });
  };
}
