import type { Readable } from 'node:stream';
import type { ProgressListener } from './progress.js';
import type { RegistryAuth } from './registry-auth.js';

/** Which engine answers, from its version endpoint. */
export interface EngineInfo {
  /** `docker`, `podman`, or the product name the engine reports. */
  readonly product: string;
  readonly version: string;
  /** The Engine API version it speaks (e.g. `1.41`). */
  readonly apiVersion: string;
  readonly os: string;
  readonly arch: string;
  /** Where it was reached: `unix:///var/run/docker.sock`, `tcp://host:2376`. */
  readonly address: string;
}

/** An image as `docker images` lists it. */
export interface EngineImage {
  /** `sha256:…` of the image config: the image ID. */
  readonly id: string;
  /** `name:tag` entries (dangling `<none>:<none>` left out). */
  readonly repoTags: readonly string[];
  /** `name@sha256:…` entries: the manifest digests the image had in registries. */
  readonly repoDigests: readonly string[];
  readonly created: Date;
  /** Bytes, as the engine counts them. */
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** An image as `docker image inspect` shows it (the fields this toolkit uses). */
export interface EngineImageDetails extends EngineImage {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | undefined;
  /** The config's `rootfs.diff_ids`: digests of the uncompressed layers. */
  readonly diffIds: readonly string[];
}

export interface OperationOptions {
  /** Cancels the operation: the engine connection is closed, which stops the engine's work. */
  readonly signal?: AbortSignal;
}

export interface ListImagesOptions extends OperationOptions {
  /** Intermediate images too (`docker images -a`). */
  readonly all?: boolean;
  /** Only images matching this reference pattern (`docker images app`, `docker images 'app:1*'`). */
  readonly reference?: string;
}

export interface RemoveImageOptions extends OperationOptions {
  /** Remove even when tagged in several repositories or used by stopped containers. */
  readonly force?: boolean;
  /** Keep untagged parents. */
  readonly noPrune?: boolean;
}

export interface TransferOptions extends OperationOptions {
  /** Registry login for this operation only; sent as `X-Registry-Auth`. None: anonymous. */
  readonly auth?: RegistryAuth;
  readonly onProgress?: ProgressListener;
}

export interface PullImageOptions extends TransferOptions {
  /** `os/arch[/variant]` to pull out of a multi-platform image. */
  readonly platform?: string;
}

export interface EnginePushResult {
  /** The reference pushed (`host/repo:tag`). */
  readonly reference: string;
  /** The manifest digest the registry holds, as the engine reported it. */
  readonly digest: string | undefined;
  /** The manifest's size in bytes, when reported. */
  readonly size: number | undefined;
}

export interface EnginePullResult {
  readonly reference: string;
  /** The manifest digest pulled ("Digest: …"), when reported. */
  readonly digest: string | undefined;
}

export interface LoadResult {
  /** What the engine loaded: `name:tag` entries, or `sha256:…` IDs for untagged images. */
  readonly images: readonly string[];
}

/**
 * A container engine that holds images: dockerd, Podman's Docker-compatible service, or any
 * other implementation. The toolkit talks to engines only through this interface; the built-in
 * one is `DockerodeEngine`. References are full Docker references (`host/repo:tag`,
 * `host/repo@sha256:…`) or image IDs; registry logins come in per call, never from the engine's
 * own store.
 */
export interface ImageEngine {
  /** Where the engine is reached, for messages. */
  readonly address: string;
  /** The engine's version; also the cheapest "is it there" check. */
  info(options?: OperationOptions): Promise<EngineInfo>;
  listImages(options?: ListImagesOptions): Promise<EngineImage[]>;
  /** Throws `AR_DOCKER_IMAGE_NOT_FOUND` when there is no such image. */
  inspectImage(image: string, options?: OperationOptions): Promise<EngineImageDetails>;
  /** `docker tag SOURCE TARGET`; `target` is `name:tag`. */
  tagImage(source: string, target: string, options?: OperationOptions): Promise<void>;
  /** `docker rmi`; returns what the engine untagged and deleted. */
  removeImage(
    image: string,
    options?: RemoveImageOptions,
  ): Promise<{ untagged: string[]; deleted: string[] }>;
  /** `docker save`: the tar as a stream, straight from the engine. */
  saveImage(images: string | readonly string[], options?: OperationOptions): Promise<Readable>;
  /** `docker load` from a stream of a `docker save`-format tar. */
  loadImage(
    tar: Readable,
    options?: OperationOptions & { onProgress?: ProgressListener },
  ): Promise<LoadResult>;
  /** `docker push REFERENCE`: the engine uploads. A failure reported in the stream is thrown. */
  pushImage(reference: string, options?: TransferOptions): Promise<EnginePushResult>;
  /** `docker pull REFERENCE`: the engine downloads. A failure reported in the stream is thrown. */
  pullImage(reference: string, options?: PullImageOptions): Promise<EnginePullResult>;
  /** Releases connections (the built-in engine keeps none open between calls). */
  close(): Promise<void>;
}
