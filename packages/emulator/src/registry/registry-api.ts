import { type Access, repositoryResource } from '../auth/access.js';
import { PERMISSIONS } from '../auth/iam.js';
import { ANONYMOUS, type Identity } from '../auth/identity.js';
import { asEmulatorError, EmulatorError } from '../errors.js';
import {
  type Exchange,
  header,
  parseFormOrJson,
  readBody,
  sendEmpty,
  sendJson,
  sendOciError,
} from '../http/exchange.js';
import { DIGEST, type ImageName, imagePath, parseImageName, TAG } from '../names.js';
import type { StagedBlob } from '../store/blob-store.js';
import type { RepositoryRecord } from '../store/metadata.js';
import type { Artifacts } from './artifacts.js';
import { MAX_MANIFEST_BYTES } from './manifests.js';
import type { UploadSessions } from './upload-sessions.js';

/** Header naming the upstream repository that served a virtual-repository pull. */
export const UPSTREAM_HEADER = 'X-Artifact-Registry-Upstream-Repository';

const CHUNKED_REFUSED =
  'Artifact Registry does not support chunked uploads: monolithic uploads are required. Send the whole blob in the closing PUT (?digest=), or in one PATCH followed by that PUT.';

/** Docker Registry HTTP API v2 with Artifact Registry's rules. */
export class RegistryApi {
  constructor(
    private readonly artifacts: Artifacts,
    private readonly access: Access,
    private readonly identity: Identity,
    private readonly rateLimit: (key: string) => number | undefined,
    private readonly uploads: UploadSessions,
  ) {}

  async handle(exchange: Exchange): Promise<void> {
    try {
      await this.#route(exchange);
    } catch (error) {
      const failure = asEmulatorError(error);
      if (!exchange.res.headersSent) {
        const headers: Record<string, string> = {};
        if (failure.code === 'AR_EMULATOR_UNAUTHENTICATED' && !exchange.res.hasHeader('www-authenticate')) {
          headers['WWW-Authenticate'] = this.#challenge(exchange);
        }
        sendOciError(exchange, failure, headers);
      } else {
        exchange.res.destroy(failure);
      }
      // Drain what the client still sends so the connection can be reused.
      if (!exchange.req.readableEnded) exchange.req.resume();
    }
  }

  #challenge(exchange: Exchange, scope?: string): string {
    const parts = [`Bearer realm="${exchange.base}/v2/token"`, `service="${exchange.host}"`];
    if (scope !== undefined) parts.push(`scope="${scope}"`);
    return parts.join(',');
  }

  async #route(exchange: Exchange): Promise<void> {
    const { pathname } = exchange.url;
    const method = exchange.req.method ?? 'GET';
    if (pathname === '/v2/token') return this.#token(exchange);
    const principal = this.access.principalOf(header(exchange, 'authorization'));
    exchange.log.principal = principal;
    const waitSeconds = this.rateLimit(
      principal === ANONYMOUS ? `ip:${exchange.req.socket.remoteAddress}` : principal,
    );
    if (waitSeconds !== undefined) {
      throw new EmulatorError(
        'AR_EMULATOR_RATE_LIMITED',
        `Quota exceeded for ${principal}: too many requests. Retry after ${waitSeconds} s.`,
        { retryAfterSeconds: waitSeconds, retryable: true },
      );
    }
    if (pathname === '/v2/' || pathname === '/v2') {
      if (principal === ANONYMOUS) {
        throw new EmulatorError('AR_EMULATOR_UNAUTHENTICATED', 'Authentication required.');
      }
      return sendJson(exchange, 200, {}, { 'Docker-Distribution-API-Version': 'registry/2.0' });
    }
    let match = /^\/v2\/(.+)\/tags\/list$/.exec(pathname);
    if (match !== null && (method === 'GET' || method === 'HEAD'))
      return this.#tagsList(exchange, principal, match[1]!);
    match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname);
    if (match !== null) return this.#manifests(exchange, principal, match[1]!, match[2]!, method);
    match = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(pathname);
    if (match !== null && method === 'POST') return this.#startUpload(exchange, principal, match[1]!);
    match = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(pathname);
    if (match !== null) return this.#upload(exchange, principal, match[1]!, match[2]!, method);
    match = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname);
    if (match !== null && (method === 'GET' || method === 'HEAD'))
      return this.#blob(exchange, principal, match[1]!, match[2]!);
    if (match !== null && method === 'DELETE') {
      throw new EmulatorError(
        'AR_EMULATOR_READ_ONLY_REPOSITORY',
        'Deleting blobs is not supported: delete the image instead.',
      );
    }
    throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `No registry API at ${method} ${pathname}.`);
  }

  /** Token endpoint: Basic login (or none, for public repositories) in, bearer token out. */
  async #token(exchange: Exchange): Promise<void> {
    let principal: string;
    const method = exchange.req.method ?? 'GET';
    if (method === 'POST') {
      // The OAuth2 form some clients (containerd) use: grant_type=password with username/password.
      const body = (await readBody(exchange.req, 1024 * 1024)) ?? Buffer.alloc(0);
      const form = parseFormOrJson(body, header(exchange, 'content-type'));
      if (form.grant_type === 'password' && form.username !== undefined) {
        principal = this.access.login(form.username, form.password ?? '');
      } else if (form.grant_type === 'refresh_token' && form.refresh_token !== undefined) {
        principal = this.access.bearer(form.refresh_token);
      } else {
        principal = this.access.principalOf(header(exchange, 'authorization'));
      }
    } else {
      principal = this.access.principalOf(header(exchange, 'authorization'));
    }
    exchange.log.principal = principal;
    const authorization = header(exchange, 'authorization') ?? '';
    // An access token presented as the password is already a registry token: hand it back, so
    // its expiry is the client's to see. Other logins get a new token.
    const basic = /^basic\s+(.+)$/i.exec(authorization.trim());
    let token: string;
    let expiresIn: number;
    const decoded = basic === null ? '' : Buffer.from(basic[1]!, 'base64').toString('utf8');
    const username = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    if (ACCESS_TOKEN_USERNAMES.has(username)) {
      token = decoded.slice(username.length + 1);
      const found = this.identity.resolveAccessToken(token);
      expiresIn =
        found === undefined ? 0 : Math.max(1, Math.floor((found.expiresAtMs - this.identity.now()) / 1000));
    } else {
      const minted = this.identity.mintAccessToken(principal);
      token = minted.accessToken;
      expiresIn = minted.expiresInSeconds;
    }
    sendJson(exchange, 200, {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date(this.identity.now()).toISOString(),
    });
  }

  /** The repository of a name in this request's location; NAME_UNKNOWN only for callers who may know. */
  #repository(exchange: Exchange, principal: string, name: ImageName, permission: string): RepositoryRecord {
    const repo = this.artifacts.store.repository(name.project, exchange.location, name.repository);
    if (repo === undefined) {
      const resource = repositoryResource({
        project: name.project,
        location: exchange.location,
        name: name.repository,
      });
      if (!this.access.canOnProject(principal, name.project, permission))
        throw this.access.denial(principal, resource, permission);
      const elsewhere = this.artifacts.store
        .repositoryNames(name.project)
        .filter((found) => found.name === name.repository)
        .map((found) => found.location);
      const hint =
        elsewhere.length > 0
          ? ` It exists in ${elsewhere.join(', ')}: use ${elsewhere[0]}-docker.pkg.dev.`
          : ' Create it first (gcloud artifacts repositories create).';
      throw new EmulatorError(
        'AR_EMULATOR_NAME_UNKNOWN',
        `Repository "${name.repository}" not found in project ${name.project}, location ${exchange.location}.${hint}`,
      );
    }
    try {
      this.access.require(principal, repo, permission);
    } catch (error) {
      if (error instanceof EmulatorError && error.code === 'AR_EMULATOR_UNAUTHENTICATED') {
        const action = permission === PERMISSIONS.download ? 'pull' : 'pull,push';
        exchange.res.setHeader(
          'WWW-Authenticate',
          this.#challenge(exchange, `repository:${imagePath(name)}:${action}`),
        );
      }
      throw error;
    }
    return repo;
  }

  async #blob(exchange: Exchange, principal: string, rawName: string, digest: string): Promise<void> {
    const name = parseImageName(rawName);
    const repo = this.#repository(exchange, principal, name, PERMISSIONS.download);
    const served = await this.artifacts.resolveBlob(repo, name.image, digest);
    if (served === undefined) {
      throw new EmulatorError('AR_EMULATOR_BLOB_UNKNOWN', `Blob ${digest} is not in ${imagePath(name)}.`, {
        detail: { digest },
      });
    }
    if (served.servedBy.id !== repo.id) {
      exchange.res.setHeader(UPSTREAM_HEADER, repositoryResource(served.servedBy));
      exchange.log.upstream = repositoryResource(served.servedBy);
    }
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': served.digest,
      ETag: `"${served.digest}"`,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'max-age=31536000',
    };
    const range = parseRange(header(exchange, 'range'), served.size);
    if (range === 'invalid') {
      exchange.res.setHeader('Content-Range', `bytes */${served.size}`);
      throw new EmulatorError(
        'AR_EMULATOR_RANGE_INVALID',
        `Range not satisfiable for a blob of ${served.size} bytes.`,
      );
    }
    if (exchange.req.method === 'HEAD') {
      exchange.res.writeHead(200, { ...headers, 'Content-Length': served.size });
      exchange.res.end();
      return;
    }
    const status = range === undefined ? 200 : 206;
    if (range !== undefined) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${served.size}`;
    const length = range === undefined ? served.size : range.end - range.start + 1;
    exchange.res.writeHead(status, { ...headers, 'Content-Length': length });
    if (length === 0) {
      exchange.res.end();
      return;
    }
    const stream = this.artifacts.blobs.read(served.digest, range);
    await new Promise<void>((resolve) => {
      stream.on('error', (error) => {
        exchange.res.destroy(error);
        resolve();
      });
      exchange.res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(exchange.res);
    });
  }

  async #startUpload(exchange: Exchange, principal: string, rawName: string): Promise<void> {
    const name = parseImageName(rawName);
    const repo = this.#repository(exchange, principal, name, PERMISSIONS.upload);
    this.artifacts.requireWritable(repo);
    const query = exchange.url.searchParams;
    const mount = query.get('mount');
    if (mount !== null && DIGEST.test(mount)) {
      if (await this.#mount(exchange, principal, repo, mount, query.get('from'))) {
        exchange.req.resume();
        return sendEmpty(exchange, 201, {
          Location: `/v2/${rawName}/blobs/${mount}`,
          'Docker-Content-Digest': mount,
        });
      }
    }
    const digest = query.get('digest');
    if (digest !== null) {
      // Monolithic POST: the whole blob in the request that opens the upload.
      if (!DIGEST.test(digest))
        throw new EmulatorError('AR_EMULATOR_DIGEST_INVALID', `"${digest}" is not a sha256 digest.`);
      await this.artifacts.putBlob(repo, exchange.req, digest);
      return sendEmpty(exchange, 201, {
        Location: `/v2/${rawName}/blobs/${digest}`,
        'Docker-Content-Digest': digest,
      });
    }
    exchange.req.resume();
    const { id } = this.uploads.open(repo.id, name.image);
    sendEmpty(exchange, 202, {
      Location: `/v2/${rawName}/blobs/uploads/${id}`,
      Range: '0-0',
      'Docker-Upload-UUID': id,
    });
  }

  /** Cross-repository mount, inside one project and location, when the caller may read the source. */
  async #mount(
    exchange: Exchange,
    principal: string,
    target: RepositoryRecord,
    digest: string,
    from: string | null,
  ): Promise<boolean> {
    if (from === null) return false;
    let source: ImageName;
    try {
      source = parseImageName(from);
    } catch {
      return false;
    }
    if (source.project !== target.project) return false;
    const repo = this.artifacts.store.repository(source.project, exchange.location, source.repository);
    if (repo === undefined || repo.mode !== 'STANDARD_REPOSITORY') return false;
    if (!this.access.can(principal, repo, PERMISSIONS.download)) return false;
    const size = this.artifacts.store.blobSize(repo.id, digest);
    if (size === undefined || (await this.artifacts.blobs.size(digest)) === undefined) return false;
    this.artifacts.linkBlob(target, digest, size);
    return true;
  }

  async #upload(
    exchange: Exchange,
    principal: string,
    rawName: string,
    id: string,
    method: string,
  ): Promise<void> {
    const name = parseImageName(rawName);
    const repo = this.#repository(exchange, principal, name, PERMISSIONS.upload);
    const session = this.uploads.use(id);
    if (session === undefined || session.repoId !== repo.id || session.image !== name.image) {
      throw new EmulatorError(
        'AR_EMULATOR_BLOB_UPLOAD_UNKNOWN',
        `Upload ${id} is unknown (finished, cancelled, expired after being idle, or lost in a restart): start a new upload.`,
      );
    }
    const location = `/v2/${rawName}/blobs/uploads/${id}`;
    const rangeHeader = (staged: StagedBlob | undefined) =>
      staged === undefined ? '0-0' : `0-${staged.size - 1}`;
    switch (method) {
      case 'GET':
        return sendEmpty(exchange, 204, {
          Location: location,
          Range: rangeHeader(session.staged),
          'Docker-Upload-UUID': id,
        });
      case 'DELETE':
        await this.uploads.abandon(session);
        return sendEmpty(exchange, 204);
      case 'PATCH': {
        if (session.staged !== undefined || session.busy || header(exchange, 'content-range') !== undefined) {
          await this.uploads.abandon(session);
          throw new EmulatorError('AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED', CHUNKED_REFUSED);
        }
        session.busy = true;
        try {
          session.staged = await this.artifacts.blobs.stage(exchange.req);
        } finally {
          session.busy = false;
          this.uploads.use(id);
        }
        return sendEmpty(exchange, 202, {
          Location: location,
          Range: rangeHeader(session.staged),
          'Docker-Upload-UUID': id,
        });
      }
      case 'PUT': {
        const digest = exchange.url.searchParams.get('digest');
        if (digest === null || !DIGEST.test(digest)) {
          throw new EmulatorError(
            'AR_EMULATOR_DIGEST_INVALID',
            'The closing PUT needs ?digest=sha256:<64 hex>.',
          );
        }
        if (session.busy) throw new EmulatorError('AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED', CHUNKED_REFUSED);
        let staged = session.staged;
        const length = Number(header(exchange, 'content-length') ?? '0');
        if (staged !== undefined && (length > 0 || header(exchange, 'transfer-encoding') !== undefined)) {
          // Data in the PATCH and more in the PUT: a chunked upload in two pieces.
          const more = await this.artifacts.blobs.stage(exchange.req);
          await this.artifacts.blobs.discard(more);
          if (more.size > 0) {
            await this.uploads.abandon(session);
            throw new EmulatorError('AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED', CHUNKED_REFUSED);
          }
        }
        this.uploads.finish(session);
        if (staged === undefined) {
          session.busy = true;
          staged = await this.artifacts.blobs.stage(exchange.req);
        }
        await this.artifacts.blobs.commit(staged, digest);
        this.artifacts.linkBlob(repo, digest, staged.size);
        return sendEmpty(exchange, 201, {
          Location: `/v2/${rawName}/blobs/${digest}`,
          'Docker-Content-Digest': digest,
        });
      }
      default:
        throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `${method} is not an upload operation.`);
    }
  }

  async #manifests(
    exchange: Exchange,
    principal: string,
    rawName: string,
    rawReference: string,
    method: string,
  ): Promise<void> {
    const name = parseImageName(rawName);
    // Checked only once the caller is known: an anonymous caller is asked to authenticate first.
    const reference = validReference(rawReference);
    const invalidReference = () =>
      new EmulatorError(
        'AR_EMULATOR_TAG_INVALID',
        `"${rawReference}" is neither a valid tag nor a sha256 digest.`,
      );
    if (method === 'GET' || method === 'HEAD') {
      const repo = this.#repository(exchange, principal, name, PERMISSIONS.download);
      // A reference that cannot exist is simply not there (404), as the distribution registry answers.
      const served =
        reference === undefined
          ? undefined
          : await this.artifacts.resolveManifest(repo, name.image, reference);
      if (served === undefined) {
        throw new EmulatorError(
          'AR_EMULATOR_MANIFEST_UNKNOWN',
          `Manifest ${reference ?? rawReference} is not in ${imagePath(name)}.`,
          { detail: { name: imagePath(name), reference: reference ?? rawReference } },
        );
      }
      const { record } = served;
      const headers: Record<string, string | number> = {
        'Content-Type': record.mediaType,
        'Content-Length': record.size,
        'Docker-Content-Digest': record.digest,
        ETag: `"${record.digest}"`,
      };
      if (served.servedBy.id !== repo.id) {
        headers[UPSTREAM_HEADER] = repositoryResource(served.servedBy);
        exchange.log.upstream = repositoryResource(served.servedBy);
      }
      exchange.res.writeHead(200, headers);
      exchange.res.end(method === 'HEAD' ? undefined : record.content);
      return;
    }
    if (method === 'PUT') {
      const repo = this.#repository(exchange, principal, name, PERMISSIONS.upload);
      this.artifacts.requireWritable(repo);
      if (reference === undefined) throw invalidReference();
      const content = await readBody(exchange.req, MAX_MANIFEST_BYTES);
      if (content === undefined) {
        throw new EmulatorError(
          'AR_EMULATOR_MANIFEST_TOO_LARGE',
          `Manifest exceeds the ${MAX_MANIFEST_BYTES}-byte limit.`,
        );
      }
      const digest = await this.artifacts.putManifest(
        repo,
        name.image,
        reference,
        content,
        header(exchange, 'content-type'),
      );
      return sendEmpty(exchange, 201, {
        Location: `/v2/${rawName}/manifests/${digest}`,
        'Docker-Content-Digest': digest,
      });
    }
    if (method === 'DELETE') {
      const repo = this.#repository(exchange, principal, name, PERMISSIONS.delete);
      this.artifacts.requireWritable(repo);
      if (reference === undefined) throw invalidReference();
      if (!this.artifacts.deleteManifest(repo, name.image, reference)) {
        throw new EmulatorError(
          'AR_EMULATOR_MANIFEST_UNKNOWN',
          `Manifest ${reference} is not in ${imagePath(name)}.`,
        );
      }
      return sendEmpty(exchange, 202);
    }
    throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `${method} is not a manifest operation.`);
  }

  async #tagsList(exchange: Exchange, principal: string, rawName: string): Promise<void> {
    // AR also lists at repository level (`PROJECT/REPO/tags/list`): no tags, the images as children.
    let name: ImageName;
    const segments = rawName.split('/');
    const repositoryLevel = segments.length === (segments[0]?.includes('.') ? 3 : 2);
    if (repositoryLevel) {
      const probe = parseImageName(`${rawName}/x`);
      name = { ...probe, image: '' };
    } else {
      name = parseImageName(rawName);
    }
    const repo = this.#repository(exchange, principal, name, PERMISSIONS.download);
    const store = this.artifacts.store;
    const prefix = name.image === '' ? '' : `${name.image}/`;
    const children = new Set<string>();
    for (const image of store.images(repo.id)) {
      if (image.startsWith(prefix) && image !== name.image)
        children.add(image.slice(prefix.length).split('/')[0]!);
    }
    const allTags = name.image === '' ? [] : store.tags(repo.id, name.image);
    const manifestMap: Record<string, unknown> = {};
    if (name.image !== '') {
      const tagsByDigest = new Map<string, string[]>();
      for (const { tag, digest } of allTags)
        tagsByDigest.set(digest, [...(tagsByDigest.get(digest) ?? []), tag]);
      for (const record of store.manifests(repo.id, name.image)) {
        manifestMap[record.digest] = {
          imageSizeBytes: String(record.imageSize),
          layerId: '',
          mediaType: record.mediaType,
          tag: tagsByDigest.get(record.digest) ?? [],
          timeCreatedMs: String(record.buildMs),
          timeUploadedMs: String(record.uploadedMs),
        };
      }
    }
    let tags = allTags.map((entry) => entry.tag);
    const last = exchange.url.searchParams.get('last');
    if (last !== null) tags = tags.filter((tag) => tag > last);
    const nRaw = exchange.url.searchParams.get('n');
    const headers: Record<string, string> = {};
    if (nRaw !== null) {
      const n = Number(nRaw);
      if (!Number.isInteger(n) || n < 0) {
        throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', `n=${nRaw} is not a non-negative integer.`);
      }
      if (tags.length > n) {
        tags = tags.slice(0, n);
        const next = new URLSearchParams({ n: String(n), last: tags.at(-1) ?? '' });
        headers.Link = `</v2/${rawName}/tags/list?${next}>; rel="next"`;
      }
    }
    sendJson(
      exchange,
      200,
      { child: [...children].sort(), manifest: manifestMap, name: rawName, tags },
      headers,
    );
  }
}

/** Basic-login usernames whose password is an access token (`_dcgcloud_token`: gcloud's own helper). */
const ACCESS_TOKEN_USERNAMES = new Set(['oauth2accesstoken', '_dcgcloud_token']);

/** A manifest reference as sent (percent-encoded), decoded when it is a tag or a digest. */
function validReference(raw: string): string | undefined {
  let reference: string;
  try {
    reference = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return DIGEST.test(reference) || TAG.test(reference) ? reference : undefined;
}

function parseRange(
  value: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (match === null) return 'invalid';
  const [, from = '', to = ''] = match;
  let start: number;
  let end: number;
  if (from === '') {
    if (to === '') return 'invalid';
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}
