import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  abortedError,
  DockerError,
  type EngineImage,
  engineServerAddress,
  type ImageEngine,
  type RegistryAuth,
  registryAuthFor,
} from '@ar/docker';
import {
  type CredentialProvider,
  copy,
  formatImageRef,
  type ImageRef,
  type RegistryClient,
} from '@ar/registry';
import { fromEngineProgress, fromRegistryProgress, type TransferProgressListener } from './progress.js';

/**
 * How a push leaves the machine. `engine`: the engine pushes (`docker push`), with a login made
 * for this push. `direct`: the engine only exports (`docker save`) and the registry client
 * uploads, in parallel, with mounts and skips of existing blobs; the engine never sees a credential.
 */
export type PushVia = 'engine' | 'direct';
/** How a pull arrives. `engine`: `docker pull`. `registry`: the registry client downloads, then `docker load`. */
export type PullVia = 'engine' | 'registry';

export interface EnginePushOptions {
  /** Default `engine` (see the README for why and for the measurements). */
  readonly via?: PushVia;
  /**
   * `direct` only: gzip the uncompressed layers `docker save` exports, as `docker push` does
   * (each layer is compressed twice: once for its digest, once on upload). Default false: they
   * go as they are, fastest, larger in the registry.
   */
  readonly compressLayers?: boolean;
  readonly onProgress?: TransferProgressListener;
  readonly signal?: AbortSignal;
}

export interface EnginePushResult {
  /** `host/repo:tag` pushed. */
  readonly reference: string;
  /** The manifest digest the registry holds. */
  readonly digest: string | undefined;
  readonly via: PushVia;
}

export interface EnginePullOptions {
  /** Default `engine`. */
  readonly via?: PullVia;
  /** `os/arch[/variant]` out of a multi-platform image; default the engine's own. */
  readonly platform?: string;
  readonly onProgress?: TransferProgressListener;
  readonly signal?: AbortSignal;
}

export interface EnginePullResult {
  /** `host/repo:tag` or `host/repo@sha256:…` pulled. */
  readonly reference: string;
  /** The manifest digest pulled. */
  readonly digest: string | undefined;
  /** The image ID in the engine (`sha256:…` of its config). */
  readonly imageId: string;
  readonly via: PullVia;
}

export interface EngineOpsDeps {
  readonly engine: ImageEngine;
  readonly registry: RegistryClient;
  /** Registry logins, asked for every push or pull (the engine never keeps one). */
  readonly credentials: CredentialProvider;
  /** Where the direct paths spool `docker save` / `docker load` tars. */
  readonly tempDir?: string | undefined;
}

/**
 * `docker tag` / `docker push` / `docker pull` against an engine, composed here because the
 * direct paths need two adapters: the engine exports or loads, the registry client moves the
 * bytes. A user never runs `docker login`: every push or pull gets a credential fetched for it.
 * Images are typed references of any registry (the facade completes Artifact Registry names).
 */
export function engineOps({ engine, registry, credentials, tempDir = tmpdir() }: EngineOpsDeps) {
  const engineAuth = async (host: string, signal?: AbortSignal): Promise<RegistryAuth | undefined> => {
    const credential = await credentials(host, signal ? { signal } : {});
    return credential ? registryAuthFor(engineServerAddress(host), credential) : undefined;
  };

  /**
   * A private temp dir for the direct paths, removed afterwards whatever happens. The registry
   * client reads a docker tar by random access (parallel uploads, re-opened on retry) and writes
   * one atomically by rename, so the engine's save stream and the load input go through a file.
   */
  const withSpool = async <T>(work: (tarPath: string) => Promise<T>): Promise<T> => {
    const dir = await mkdtemp(join(tempDir, 'ar-docker-'));
    try {
      return await work(join(dir, 'image.tar'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const save = async (target: string, path: string, signal: AbortSignal | undefined): Promise<void> => {
    const tar = await engine.saveImage(target, signal ? { signal } : {});
    try {
      await pipeline(tar, createWriteStream(path), signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw abortedError('save', target, error);
      if (error instanceof DockerError) throw error;
      throw new DockerError(
        'AR_DOCKER_SAVE_FAILED',
        `Exporting ${target} from the engine to ${path} failed: ${(error as Error).message}. Check free space in the temp dir, or push via the engine.`,
        { cause: error },
      );
    }
  };

  return {
    /** `docker tag`; the engine refuses a target with a digest. */
    async tag(source: string, target: ImageRef): Promise<string> {
      const name = formatImageRef(target);
      await engine.tagImage(source, name);
      return name;
    },

    /** Tags `source` (an image in the engine) as `target`, then pushes it by the engine or directly. */
    async push(source: string, target: ImageRef, options: EnginePushOptions = {}): Promise<EnginePushResult> {
      const reference = formatImageRef(target);
      if (target.digest !== undefined)
        throw new DockerError(
          'AR_DOCKER_INVALID_ARGUMENT',
          `Cannot push to ${reference}: push to a tag (NAME:TAG); the registry gives the digest.`,
        );
      const { signal, onProgress } = options;
      const via = options.via ?? 'engine';
      if (via !== 'engine' && via !== 'direct') throw invalidVia('push', via, ['engine', 'direct']);
      await engine.tagImage(source, reference, signal ? { signal } : {});
      if (via === 'engine') {
        const auth = await engineAuth(target.registry, signal);
        const result = await engine.pushImage(reference, {
          ...(auth ? { auth } : {}),
          ...(onProgress ? { onProgress: fromEngineProgress(onProgress) } : {}),
          ...(signal ? { signal } : {}),
        });
        return { reference: result.reference, digest: result.digest, via };
      }
      return withSpool(async (tarPath) => {
        onProgress?.({ type: 'status', message: `Exporting ${reference} from the engine` });
        await save(reference, tarPath, signal);
        onProgress?.({ type: 'status', message: `Pushing ${reference}` });
        const result = await copy(
          registry,
          { kind: 'docker-archive', path: tarPath },
          { kind: 'registry', ref: target },
          {
            ...(options.compressLayers ? { compressLayers: true } : {}),
            ...(signal ? { signal } : {}),
            ...(onProgress ? { onProgress: fromRegistryProgress(onProgress) } : {}),
          },
        );
        return { reference, digest: result.images[0]?.digest, via };
      });
    },

    /** Pulls `image` into the engine by the engine, or through the registry client and `docker load`. */
    async pull(image: ImageRef, options: EnginePullOptions = {}): Promise<EnginePullResult> {
      const reference = formatImageRef(image);
      const { signal, onProgress } = options;
      const via = options.via ?? 'engine';
      if (via === 'engine') {
        const auth = await engineAuth(image.registry, signal);
        const result = await engine.pullImage(reference, {
          ...(auth ? { auth } : {}),
          ...(options.platform ? { platform: options.platform } : {}),
          ...(onProgress ? { onProgress: fromEngineProgress(onProgress) } : {}),
          ...(signal ? { signal } : {}),
        });
        const pulled = await engine.inspectImage(reference, signal ? { signal } : {});
        return {
          reference: result.reference,
          digest: result.digest ?? soleRepoDigest(pulled, `${image.registry}/${image.repository}`),
          imageId: pulled.id,
          via,
        };
      }
      if (via !== 'registry') throw invalidVia('pull', via, ['engine', 'registry']);
      return withSpool(async (tarPath) => {
        const copied = await copy(
          registry,
          { kind: 'registry', ref: image },
          { kind: 'docker-archive', path: tarPath },
          {
            ...(options.platform ? { platform: options.platform } : {}),
            ...(signal ? { signal } : {}),
            ...(onProgress ? { onProgress: fromRegistryProgress(onProgress) } : {}),
          },
        );
        onProgress?.({ type: 'status', message: `Loading ${reference} into the engine` });
        const loaded = await engine.loadImage(createReadStream(tarPath), {
          ...(signal ? { signal } : {}),
          ...(onProgress ? { onProgress: fromEngineProgress(onProgress) } : {}),
        });
        // A tagged pull is inspected by name; a pull by digest loads untagged, named by its ID.
        const name =
          image.digest === undefined ? reference : loaded.images.find((i) => i.startsWith('sha256:'));
        if (name === undefined)
          throw new DockerError(
            'AR_DOCKER_LOAD_FAILED',
            `The engine loaded ${reference} but did not say which image ID it got (it said: ${loaded.images.join(', ') || 'nothing'}).`,
          );
        const pulled = await engine.inspectImage(name, signal ? { signal } : {});
        return { reference, digest: copied.images[0]?.digest, imageId: pulled.id, via };
      });
    },
  };
}

export type EngineOps = ReturnType<typeof engineOps>;

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
