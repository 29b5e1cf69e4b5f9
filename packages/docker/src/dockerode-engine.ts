import type { Readable } from 'node:stream';
import { parseDockerRef, parseNormalizedNamed } from '@ar/image-ref';
import Dockerode from 'dockerode';
import type { EngineConnection } from './connection.js';
import { modemOptions } from './connection.js';
import type {
  EngineImage,
  EngineImageDetails,
  EngineInfo,
  EnginePullResult,
  EnginePushResult,
  ImageEngine,
  ListImagesOptions,
  LoadResult,
  OperationOptions,
  PullImageOptions,
  RemoveImageOptions,
  TransferOptions,
} from './engine.js';
import { type EngineOperation, fromEngineError } from './engine-errors.js';
import { DockerError } from './errors.js';
import { followProgress, type ProgressListener } from './progress.js';
import { encodeRegistryAuth } from './registry-auth.js';

interface DialOptions {
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  options?: Record<string, unknown>;
  statusCodes: Record<number, true | string>;
  isStream?: boolean;
  file?: Readable;
  authconfig?: { key: string };
  abortSignal?: AbortSignal;
}

interface Modem {
  dial(options: DialOptions, callback: (error: unknown, data: unknown) => void): void;
}

interface RawImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number | string;
  Size: number;
  Labels?: Record<string, string> | null;
  Config?: { Labels?: Record<string, string> | null } | null;
  Os?: string;
  Architecture?: string;
  Variant?: string;
  RootFS?: { Layers?: string[] | null } | null;
}

const ERRORS = { 400: 'bad parameter', 404: 'no such image', 409: 'conflict', 500: 'server error' } as const;

/**
 * The built-in `ImageEngine`: the Docker Engine API through dockerode (docker-modem does the
 * HTTP over a unix socket, tcp or TLS). Works against dockerd and Podman's compatible service.
 * Every call opens its own request, so `close()` has nothing to release and an AbortSignal
 * closes exactly the connection of the operation it cancels.
 */
export class DockerodeEngine implements ImageEngine {
  readonly address: string;
  readonly #modem: Modem;
  readonly #where: string;

  constructor(readonly connection: EngineConnection) {
    this.address = connection.address;
    const looked = connection.lookedAt.filter((a) => a !== connection.address);
    this.#where = `${connection.address} (from ${connection.origin}${looked.length ? `; also looked at ${looked.join(', ')}` : ''})`;
    let docker: Dockerode;
    try {
      docker = new Dockerode(modemOptions(connection) as Dockerode.DockerOptions);
    } catch (error) {
      // docker-modem reads DOCKER_HOST / DOCKER_CERT_PATH itself before taking our options; a
      // malformed variable throws there even though the config overrides it.
      throw new DockerError(
        'AR_DOCKER_INVALID_HOST',
        `Cannot set up the engine connection: ${(error as Error).message}. Fix or unset DOCKER_HOST / DOCKER_CERT_PATH in the environment.`,
        { cause: error },
      );
    }
    this.#modem = docker.modem as unknown as Modem;
  }

  async info(options: OperationOptions = {}): Promise<EngineInfo> {
    const raw = (await this.#call('ping', 'the engine', options.signal, {
      path: '/version',
      method: 'GET',
      statusCodes: { 200: true, 500: ERRORS[500] },
    })) as {
      Version?: string;
      ApiVersion?: string;
      Os?: string;
      Arch?: string;
      Components?: { Name?: string }[] | null;
    };
    if (typeof raw !== 'object' || raw === null || typeof raw.ApiVersion !== 'string')
      throw new DockerError(
        'AR_DOCKER_ENGINE_ERROR',
        `Something answers at ${this.#where}, but not a Docker-compatible engine (no ApiVersion in /version).`,
      );
    const names = (raw.Components ?? []).map((c) => c.Name ?? '');
    const product = names.some((n) => /podman/i.test(n))
      ? 'podman'
      : names.some((n) => /^Engine$/i.test(n)) || names.length === 0
        ? 'docker'
        : (names[0] ?? 'unknown');
    return {
      product,
      version: raw.Version ?? '',
      apiVersion: raw.ApiVersion,
      os: raw.Os ?? '',
      arch: raw.Arch ?? '',
      address: this.address,
    };
  }

  async listImages(options: ListImagesOptions = {}): Promise<EngineImage[]> {
    const query: Record<string, unknown> = {};
    if (options.all) query.all = true;
    if (options.reference) query.filters = { reference: [options.reference] };
    const raw = (await this.#call('list', 'images', options.signal, {
      path: '/images/json?',
      method: 'GET',
      options: query,
      statusCodes: { 200: true, 400: ERRORS[400], 500: ERRORS[500] },
    })) as RawImage[];
    return raw.map(toEngineImage);
  }

  async inspectImage(image: string, options: OperationOptions = {}): Promise<EngineImageDetails> {
    const raw = (await this.#call('inspect', image, options.signal, {
      path: `/images/${encodeImage(image)}/json`,
      method: 'GET',
      statusCodes: { 200: true, 404: ERRORS[404], 500: ERRORS[500] },
    })) as RawImage;
    return {
      ...toEngineImage(raw),
      os: raw.Os ?? '',
      architecture: raw.Architecture ?? '',
      variant: raw.Variant || undefined,
      diffIds: raw.RootFS?.Layers ?? [],
    };
  }

  async tagImage(source: string, target: string, options: OperationOptions = {}): Promise<void> {
    const ref = parseNormalizedNamed(target);
    if (ref.digest !== undefined)
      throw new DockerError(
        'AR_DOCKER_INVALID_ARGUMENT',
        `Cannot tag ${source} as ${target}: a tag target cannot hold a digest. Use NAME:TAG.`,
      );
    await this.#call('tag', source, options.signal, {
      path: `/images/${encodeImage(source)}/tag?`,
      method: 'POST',
      options: { repo: ref.name, tag: ref.tag ?? 'latest' },
      statusCodes: {
        200: true,
        201: true,
        400: ERRORS[400],
        404: ERRORS[404],
        409: ERRORS[409],
        500: ERRORS[500],
      },
    });
  }

  async removeImage(
    image: string,
    options: RemoveImageOptions = {},
  ): Promise<{ untagged: string[]; deleted: string[] }> {
    const query: Record<string, unknown> = {};
    if (options.force) query.force = true;
    if (options.noPrune) query.noprune = true;
    const raw = (await this.#call('remove', image, options.signal, {
      path: `/images/${encodeImage(image)}?`,
      method: 'DELETE',
      options: query,
      statusCodes: { 200: true, 404: ERRORS[404], 409: ERRORS[409], 500: ERRORS[500] },
    })) as { Untagged?: string; Deleted?: string }[] | null;
    const items = Array.isArray(raw) ? raw : [];
    return {
      untagged: items.flatMap((i) => (i.Untagged ? [i.Untagged] : [])),
      deleted: items.flatMap((i) => (i.Deleted ? [i.Deleted] : [])),
    };
  }

  async saveImage(images: string | readonly string[], options: OperationOptions = {}): Promise<Readable> {
    const names = typeof images === 'string' ? [images] : [...images];
    if (names.length === 0)
      throw new DockerError('AR_DOCKER_INVALID_ARGUMENT', 'Name at least one image to save.');
    const subject = names.join(', ');
    const stream = (await this.#call('save', subject, options.signal, {
      path: '/images/get?',
      method: 'GET',
      options: { names },
      isStream: true,
      statusCodes: { 200: true, 400: ERRORS[400], 404: ERRORS[404], 500: ERRORS[500] },
    })) as Readable;
    // The request was answered; an abort from here on cuts the tar stream (it errors).
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () =>
        stream.destroy(
          fromEngineError(signal.reason, { operation: 'save', subject, where: this.#where, signal }),
        );
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        stream.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
    return stream;
  }

  async loadImage(
    tar: Readable,
    options: OperationOptions & { onProgress?: ProgressListener } = {},
  ): Promise<LoadResult> {
    const subject = 'an image tar';
    const response = (await this.#call('load', subject, options.signal, {
      path: '/images/load?',
      method: 'POST',
      options: { quiet: false },
      file: tar,
      isStream: true,
      statusCodes: { 200: true, 400: ERRORS[400], 500: ERRORS[500] },
    })) as Readable;
    const summary = await followProgress(response, {
      operation: 'load',
      subject,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return { images: summary.loaded };
  }

  async pushImage(reference: string, options: TransferOptions = {}): Promise<EnginePushResult> {
    const ref = parseDockerRef(reference);
    if (ref.digest !== undefined)
      throw new DockerError(
        'AR_DOCKER_INVALID_ARGUMENT',
        `Cannot push ${reference}: the engine pushes tags, not digests. Tag the image (NAME:TAG) and push that.`,
      );
    const target = `${ref.name}:${ref.tag ?? 'latest'}`;
    const stream = (await this.#call('push', target, options.signal, {
      path: `/images/${encodeImage(ref.name)}/push?`,
      method: 'POST',
      options: { tag: ref.tag ?? 'latest' },
      isStream: true,
      ...(options.auth ? { authconfig: { key: encodeRegistryAuth(options.auth) } } : {}),
      statusCodes: { 200: true, 404: ERRORS[404], 500: ERRORS[500] },
    })) as Readable;
    const summary = await followProgress(stream, {
      operation: 'push',
      subject: target,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return { reference: target, digest: summary.digest, size: summary.size };
  }

  async pullImage(reference: string, options: PullImageOptions = {}): Promise<EnginePullResult> {
    const ref = parseDockerRef(reference);
    const target =
      ref.digest !== undefined ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? 'latest'}`;
    const query: Record<string, unknown> = { fromImage: ref.name, tag: ref.digest ?? ref.tag ?? 'latest' };
    if (options.platform) query.platform = options.platform;
    const stream = (await this.#call('pull', target, options.signal, {
      path: '/images/create?',
      method: 'POST',
      options: query,
      isStream: true,
      ...(options.auth ? { authconfig: { key: encodeRegistryAuth(options.auth) } } : {}),
      statusCodes: { 200: true, 400: ERRORS[400], 404: ERRORS[404], 500: ERRORS[500] },
    })) as Readable;
    const summary = await followProgress(stream, {
      operation: 'pull',
      subject: target,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return { reference: target, digest: summary.digest ?? ref.digest };
  }

  async close(): Promise<void> {}

  #call(
    operation: EngineOperation,
    subject: string,
    signal: AbortSignal | undefined,
    dial: DialOptions,
  ): Promise<unknown> {
    const context = { operation, subject, where: this.#where, signal };
    if (signal?.aborted) return Promise.reject(fromEngineError(signal.reason, context));
    return new Promise((resolve, reject) => {
      this.#modem.dial({ ...dial, ...(signal ? { abortSignal: signal } : {}) }, (error, data) => {
        if (error) reject(fromEngineError(error, context));
        else resolve(data);
      });
    });
  }
}

/** An image name or ID as one path segment: names keep their `/` (the API routes on them). */
function encodeImage(image: string): string {
  return image.split('/').map(encodeURIComponent).join('/');
}

function toEngineImage(raw: RawImage): EngineImage {
  const created = typeof raw.Created === 'number' ? new Date(raw.Created * 1000) : new Date(raw.Created);
  return {
    id: raw.Id.startsWith('sha256:') ? raw.Id : `sha256:${raw.Id}`,
    repoTags: (raw.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    repoDigests: (raw.RepoDigests ?? []).filter((d) => !d.startsWith('<none>@')),
    created,
    size: raw.Size,
    labels: raw.Labels ?? raw.Config?.Labels ?? {},
  };
}
