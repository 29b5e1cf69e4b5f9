import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EmulatorError } from '../errors.js';
import type { RemoteConfig } from '../store/metadata.js';
import { MANIFEST_ACCEPT } from './manifests.js';

export interface UpstreamManifest {
  content: Buffer;
  mediaType: string;
  digest: string;
}

/**
 * A minimal pull-only registry client for remote repositories: anonymous or Basic credentials,
 * the Bearer token dance, nothing else. Content is verified by the caller before it is cached.
 */
export class UpstreamClient {
  readonly #base: string;
  readonly #tokens = new Map<string, string>();

  constructor(private readonly config: RemoteConfig) {
    this.#base = config.uri.replace(/\/+$/, '');
  }

  get uri(): string {
    return this.#base;
  }

  /** Docker Hub keeps official images under `library/`. */
  upstreamName(image: string): string {
    const host = new URL(this.#base).host;
    const isDockerHub = host === 'registry-1.docker.io' || host === 'docker.io' || host === 'index.docker.io';
    return isDockerHub && !image.includes('/') ? `library/${image}` : image;
  }

  async manifest(image: string, reference: string): Promise<UpstreamManifest | undefined> {
    const response = await this.#get(image, `manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    if (response === undefined) return undefined;
    const content = Buffer.from(await response.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new EmulatorError(
        'AR_EMULATOR_UPSTREAM_FAILED',
        `Upstream ${this.#base} answered manifest ${reference} with content of digest ${digest}; not cached.`,
      );
    }
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    return { content, mediaType, digest };
  }

  async blob(image: string, digest: string): Promise<Readable | undefined> {
    const response = await this.#get(image, `blobs/${digest}`, {});
    if (response === undefined || response.body === null) return undefined;
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async #get(image: string, path: string, headers: Record<string, string>): Promise<Response | undefined> {
    const name = this.upstreamName(image);
    const url = `${this.#base}/v2/${name}/${path}`;
    const scope = `repository:${name}:pull`;
    let response = await this.#fetch(url, headers, this.#tokens.get(scope));
    if (response.status === 401) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      await response.body?.cancel();
      const token = await this.#token(challenge, scope);
      response = await this.#fetch(url, headers, token);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new EmulatorError(
        'AR_EMULATOR_UPSTREAM_FAILED',
        `Upstream ${this.#base} answered ${response.status} for ${name}/${path}: ${text.slice(0, 300)}`,
        { retryable: response.status >= 500 || response.status === 429 },
      );
    }
    return response;
  }

  async #fetch(url: string, headers: Record<string, string>, token: string | undefined): Promise<Response> {
    const all: Record<string, string> = { ...headers };
    if (token !== undefined) all.Authorization = token;
    else if (this.config.username !== undefined) all.Authorization = this.#basic();
    try {
      return await fetch(url, { headers: all, redirect: 'follow' });
    } catch (error) {
      throw new EmulatorError('AR_EMULATOR_UPSTREAM_FAILED', `Upstream ${this.#base} is unreachable.`, {
        cause: error,
        retryable: true,
      });
    }
  }

  #basic(): string {
    return `Basic ${Buffer.from(`${this.config.username}:${this.config.password ?? ''}`).toString('base64')}`;
  }

  async #token(challenge: string, scope: string): Promise<string> {
    if (/^basic/i.test(challenge)) return this.#basic();
    const params = Object.fromEntries(
      [...challenge.replace(/^bearer\s+/i, '').matchAll(/(\w+)="([^"]*)"/g)].map((match) => [
        match[1],
        match[2],
      ]),
    );
    if (params.realm === undefined) {
      throw new EmulatorError(
        'AR_EMULATOR_UPSTREAM_FAILED',
        `Upstream ${this.#base} sent no usable auth challenge.`,
      );
    }
    const url = new URL(params.realm);
    if (params.service !== undefined) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = {};
    if (this.config.username !== undefined) headers.Authorization = this.#basic();
    const response = await fetch(url, { headers }).catch((error: unknown) => {
      throw new EmulatorError(
        'AR_EMULATOR_UPSTREAM_FAILED',
        `Upstream token endpoint ${url.origin} is unreachable.`,
        {
          cause: error,
        },
      );
    });
    if (!response.ok) {
      throw new EmulatorError(
        'AR_EMULATOR_UPSTREAM_FAILED',
        `Upstream token endpoint ${url.origin} answered ${response.status}: check the remote repository's credentials.`,
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = `Bearer ${body.token ?? body.access_token ?? ''}`;
    this.#tokens.set(scope, token);
    return token;
  }
}
