import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * A bare registry client for the in-process tests: plain fetch, the Bearer token dance, no
 * retries, so that every status the emulator answers is visible to the test.
 */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface TestImage {
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
  digest: string;
}

export function makeImage(options: { layerSizes?: number[]; created?: string } = {}): TestImage {
  const layers = (options.layerSizes ?? [1024]).map((size) => randomBytes(size));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: options.created ?? '2024-05-01T10:00:00Z',
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => sha256(layer)) },
      config: {},
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256(layer),
        size: layer.length,
      })),
    }),
  );
  return { config, layers, manifest, digest: sha256(manifest) };
}

export class RegistryClient {
  #token: string | undefined;

  constructor(
    readonly base: string,
    private readonly credentials: { username: string; password: string } | undefined,
  ) {}

  /** Fetch with registry auth: on 401 get a token from the challenge's realm and retry once. */
  async request(
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const send = () =>
      fetch(`${this.base}${path}`, {
        ...init,
        headers: {
          ...(init.headers ?? {}),
          ...(this.#token === undefined ? {} : { Authorization: `Bearer ${this.#token}` }),
        },
        ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    let response = await send();
    if (response.status === 401 && this.#token === undefined && !(init.body instanceof ReadableStream)) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      await response.body?.cancel();
      const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
      if (realm === undefined) return response;
      const url = new URL(realm);
      const service = /service="([^"]+)"/.exec(challenge)?.[1];
      if (service !== undefined) url.searchParams.set('service', service);
      const headers: Record<string, string> = {};
      if (this.credentials !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      }
      const tokenResponse = await fetch(url, { headers });
      if (!tokenResponse.ok) return tokenResponse;
      this.#token = ((await tokenResponse.json()) as { token: string }).token;
      response = await send();
    }
    return response;
  }

  /**
   * Sends a body pulled from `source` over node:http, which stops pulling when the connection
   * breaks and rejects. Node 20's fetch does not: with a ReadableStream body, once the server has
   * closed the socket it keeps pulling as fast as it can (a test client grew to 24 GB before the
   * OOM killer stopped it; a 3-line repro is OOM-killed in 3 s). Uses the token an earlier
   * `request` got.
   */
  async stream(
    path: string,
    method: string,
    source: AsyncIterable<Uint8Array>,
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    return new Promise((resolve, reject) => {
      const req = httpRequest(new URL(`${this.base}${path}`), { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      pipeline(Readable.from(source), req).catch(reject);
    });
  }

  async pushBlob(name: string, data: Buffer): Promise<Response> {
    const start = await this.request(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) return start;
    const location = start.headers.get('location')!;
    return this.request(`${location}${location.includes('?') ? '&' : '?'}digest=${sha256(data)}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
    });
  }

  async pushImage(name: string, image: TestImage, reference: string): Promise<Response> {
    for (const blob of [image.config, ...image.layers]) {
      const response = await this.pushBlob(name, blob);
      if (response.status !== 201) return response;
    }
    return this.putManifest(name, reference, image.manifest);
  }

  putManifest(
    name: string,
    reference: string,
    manifest: Buffer,
    mediaType = 'application/vnd.oci.image.manifest.v1+json',
  ) {
    return this.request(`/v2/${name}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: manifest,
    });
  }
}
