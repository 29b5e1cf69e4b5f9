import { projectIdToPath } from '@ar/image-ref';
import { type Access, repositoryResource } from '../auth/access.js';
import { PERMISSIONS } from '../auth/iam.js';
import type { Identity } from '../auth/identity.js';
import { EmulatorError } from '../errors.js';
import { type Exchange, sendJson } from '../http/exchange.js';
import { arHost, DIGEST } from '../names.js';
import type { Artifacts } from '../registry/artifacts.js';
import type { ManifestRecord, RepositoryRecord } from '../store/metadata.js';
import {
  doneOperation,
  EMPTY_RESPONSE,
  invalid,
  iso,
  listFilter,
  orderBy,
  page,
  readJsonObject,
} from './rest.js';

interface Tag {
  tag: string;
  digest: string;
}

/** `versions.list` / `versions.get` views, by name and by the enum number of `enum-encoding=int`. */
const FULL_VIEWS = new Set(['FULL', '2']);

function notFound(what: string): EmulatorError {
  return new EmulatorError('AR_EMULATOR_NOT_FOUND', `Requested entity was not found: ${what}.`);
}

/**
 * Image names are one path segment in REST names (`lib%2Ftool`); a client that encodes the
 * name's segment again (`lib%252Ftool`) arrives here once decoded, so decode what is left.
 */
function imageOf(segment: string): string {
  try {
    return segment.includes('%') ? decodeURIComponent(segment) : segment;
  } catch {
    throw invalid(`"${segment}" is not a valid package name.`);
  }
}

/**
 * What lives in a Docker repository, in AR's REST shapes: `dockerImages` (list/get), `packages`
 * (list/get/delete), `packages.versions` (list/get/delete), `packages.tags` (list/get/create/
 * patch/delete). The rules themselves (tags, immutability, force) are `Artifacts`'.
 */
export class PackagesApi {
  constructor(
    private readonly artifacts: Artifacts,
    private readonly access: Access,
    private readonly identity: Identity,
  ) {}

  /** `rest` is the path after `.../repositories/R/`, decoded per segment. */
  async route(
    exchange: Exchange,
    principal: string,
    repo: RepositoryRecord,
    rest: string[],
  ): Promise<boolean> {
    const method = exchange.req.method ?? 'GET';
    const allow = (permission: string) => this.access.require(principal, repo, permission);
    const [collection, id, child, childId, ...beyond] = rest;
    if (beyond.length > 0) return false;
    if (collection === 'dockerImages' && child === undefined && method === 'GET') {
      allow(id === undefined ? PERMISSIONS.imagesList : PERMISSIONS.imagesGet);
      if (id === undefined) return this.#listDockerImages(exchange, repo);
      return this.#getDockerImage(exchange, repo, id);
    }
    if (collection !== 'packages') return false;
    if (id === undefined) {
      if (method !== 'GET') return false;
      allow(PERMISSIONS.packagesList);
      return this.#listPackages(exchange, repo);
    }
    const image = imageOf(id);
    if (child === undefined) {
      if (method === 'GET') {
        allow(PERMISSIONS.packagesGet);
        sendJson(exchange, 200, this.#packageJson(repo, image, this.#versions(repo, image)));
        return true;
      }
      if (method === 'DELETE') {
        allow(PERMISSIONS.packagesDelete);
        this.artifacts.deletePackage(repo, image);
        return this.#done(exchange, repo);
      }
      return false;
    }
    if (child === 'versions') return this.#versionsRoute(exchange, allow, repo, image, childId, method);
    if (child === 'tags') return this.#tagsRoute(exchange, allow, repo, image, childId, method);
    return false;
  }

  #done(exchange: Exchange, repo: RepositoryRecord): true {
    const operation = doneOperation(this.artifacts.store, this.identity, repo.project, repo.location, {
      ...EMPTY_RESPONSE,
    });
    sendJson(exchange, 200, operation);
    return true;
  }

  // dockerImages

  #dockerImageJson(repo: RepositoryRecord, record: ManifestRecord): Record<string, unknown> {
    return {
      name: this.#dockerImageName(repo, record),
      uri: `${arHost(repo.location)}/${projectIdToPath(repo.project)}/${repo.name}/${record.image}@${record.digest}`,
      tags: this.artifacts.store.tagsOf(repo.id, record.image, record.digest),
      imageSizeBytes: String(record.imageSize),
      uploadTime: iso(record.uploadedMs),
      mediaType: record.mediaType,
      buildTime: iso(record.buildMs),
      updateTime: iso(record.updatedMs),
    };
  }

  #dockerImageName(repo: RepositoryRecord, record: ManifestRecord): string {
    return `${repositoryResource(repo)}/dockerImages/${encodeURIComponent(record.image)}@${record.digest}`;
  }

  #listDockerImages(exchange: Exchange, repo: RepositoryRecord): true {
    const records = orderBy(
      this.artifacts.store.manifests(repo.id),
      exchange.url.searchParams.get('orderBy'),
      {
        name: (record) => `${record.image}@${record.digest}`,
        update_time: (record) => record.updatedMs,
        upload_time: (record) => record.uploadedMs,
        build_time: (record) => record.buildMs,
        image_size_bytes: (record) => record.imageSize,
      },
    );
    const json = records.map((record) => this.#dockerImageJson(repo, record));
    sendJson(exchange, 200, page(json, exchange, 'dockerImages'));
    return true;
  }

  /** `IMAGE@sha256:…`, the image name encoded as one segment (`lib%2Ftool@sha256:…`). */
  #getDockerImage(exchange: Exchange, repo: RepositoryRecord, id: string): true {
    const at = id.lastIndexOf('@');
    const digest = id.slice(at + 1);
    const record =
      at > 0 && DIGEST.test(digest)
        ? this.artifacts.store.manifest(repo.id, imageOf(id.slice(0, at)), digest)
        : undefined;
    if (record === undefined) throw notFound(`${repositoryResource(repo)}/dockerImages/${id}`);
    sendJson(exchange, 200, this.#dockerImageJson(repo, record));
    return true;
  }

  // packages

  #packageName(repo: RepositoryRecord, image: string): string {
    return `${repositoryResource(repo)}/packages/${encodeURIComponent(image)}`;
  }

  #versions(repo: RepositoryRecord, image: string): ManifestRecord[] {
    const records = this.artifacts.store.manifests(repo.id, image);
    if (records.length === 0) throw notFound(this.#packageName(repo, image));
    return records;
  }

  #packageJson(repo: RepositoryRecord, image: string, records: ManifestRecord[]): Record<string, unknown> {
    return {
      name: this.#packageName(repo, image),
      createTime: iso(Math.min(...records.map((record) => record.uploadedMs))),
      updateTime: iso(Math.max(...records.map((record) => record.updatedMs))),
    };
  }

  #listPackages(exchange: Exchange, repo: RepositoryRecord): true {
    const store = this.artifacts.store;
    const matches = listFilter<Record<string, unknown>>(exchange.url.searchParams.get('filter'), {
      name: (pkg) => String(pkg.name),
    });
    const packages = store
      .images(repo.id)
      .map((image) => this.#packageJson(repo, image, store.manifests(repo.id, image)))
      .filter(matches);
    const ordered = orderBy(packages, exchange.url.searchParams.get('orderBy'), {
      name: (pkg) => String(pkg.name),
      create_time: (pkg) => String(pkg.createTime),
      update_time: (pkg) => String(pkg.updateTime),
    });
    sendJson(exchange, 200, page(ordered, exchange, 'packages'));
    return true;
  }

  // versions

  async #versionsRoute(
    exchange: Exchange,
    allow: (permission: string) => void,
    repo: RepositoryRecord,
    image: string,
    version: string | undefined,
    method: string,
  ): Promise<boolean> {
    const full = FULL_VIEWS.has(exchange.url.searchParams.get('view') ?? '');
    if (version === undefined) {
      if (method !== 'GET') return false;
      allow(PERMISSIONS.versionsList);
      const matches = listFilter<Record<string, unknown>>(exchange.url.searchParams.get('filter'), {
        name: (json) => String(json.name),
      });
      const records = orderBy(this.#versions(repo, image), exchange.url.searchParams.get('orderBy'), {
        name: (record) => record.digest,
        create_time: (record) => record.uploadedMs,
        update_time: (record) => record.updatedMs,
      });
      const versions = records.map((record) => this.#versionJson(repo, record, full)).filter(matches);
      sendJson(exchange, 200, page(versions, exchange, 'versions'));
      return true;
    }
    const record = DIGEST.test(version) ? this.artifacts.store.manifest(repo.id, image, version) : undefined;
    if (method === 'GET') {
      allow(PERMISSIONS.versionsGet);
      if (record === undefined) throw notFound(`${this.#packageName(repo, image)}/versions/${version}`);
      sendJson(exchange, 200, this.#versionJson(repo, record, full));
      return true;
    }
    if (method === 'DELETE') {
      allow(PERMISSIONS.versionsDelete);
      this.artifacts.deleteVersion(repo, image, version, exchange.url.searchParams.get('force') === 'true');
      return this.#done(exchange, repo);
    }
    return false;
  }

  /** A Docker version: the manifest, its image facts in `metadata` (strings, as AR gives them). */
  #versionJson(repo: RepositoryRecord, record: ManifestRecord, full: boolean): Record<string, unknown> {
    const pkg = this.#packageName(repo, record.image);
    const json: Record<string, unknown> = {
      name: `${pkg}/versions/${record.digest}`,
      createTime: iso(record.uploadedMs),
      updateTime: iso(record.updatedMs),
      metadata: {
        name: this.#dockerImageName(repo, record),
        imageSizeBytes: String(record.imageSize),
        mediaType: record.mediaType,
        buildTime: iso(record.buildMs),
      },
    };
    if (full) {
      json.relatedTags = this.artifacts.store
        .tagsOf(repo.id, record.image, record.digest)
        .map((tag) => this.#tagJson(repo, record.image, { tag, digest: record.digest }));
    }
    return json;
  }

  // tags

  async #tagsRoute(
    exchange: Exchange,
    allow: (permission: string) => void,
    repo: RepositoryRecord,
    image: string,
    tag: string | undefined,
    method: string,
  ): Promise<boolean> {
    const store = this.artifacts.store;
    if (tag === undefined) {
      if (method === 'GET') {
        allow(PERMISSIONS.tagsList);
        this.#versions(repo, image);
        const matches = listFilter<Record<string, unknown>>(exchange.url.searchParams.get('filter'), {
          name: (json) => String(json.name),
          version: (json) => String(json.version),
        });
        const tags = store
          .tags(repo.id, image)
          .map((entry) => this.#tagJson(repo, image, entry))
          .filter(matches);
        sendJson(exchange, 200, page(tags, exchange, 'tags'));
        return true;
      }
      if (method === 'POST') {
        allow(PERMISSIONS.tagsCreate);
        const body = await readJsonObject(exchange);
        const named = typeof body.name === 'string' ? body.name.split('/').pop() : undefined;
        const id = exchange.url.searchParams.get('tagId') ?? named ?? '';
        const digest = this.#versionOf(repo, image, body.version);
        this.artifacts.createTag(repo, image, id, digest);
        sendJson(exchange, 200, this.#tagJson(repo, image, { tag: id, digest }));
        return true;
      }
      return false;
    }
    switch (method) {
      case 'GET': {
        allow(PERMISSIONS.tagsGet);
        const digest = store.tagDigest(repo.id, image, tag);
        if (digest === undefined) throw notFound(`${this.#packageName(repo, image)}/tags/${tag}`);
        sendJson(exchange, 200, this.#tagJson(repo, image, { tag, digest }));
        return true;
      }
      case 'PATCH': {
        allow(PERMISSIONS.tagsUpdate);
        const body = await readJsonObject(exchange);
        const mask = exchange.url.searchParams.get('updateMask');
        if (mask !== null && mask !== '' && mask.split(',').some((field) => field.trim() !== 'version')) {
          throw invalid(`updateMask "${mask}": only version can be updated on a tag.`);
        }
        const digest = this.#versionOf(repo, image, body.version);
        this.artifacts.moveTag(repo, image, tag, digest);
        sendJson(exchange, 200, this.#tagJson(repo, image, { tag, digest }));
        return true;
      }
      case 'DELETE':
        allow(PERMISSIONS.tagsDelete);
        this.artifacts.untag(repo, image, tag);
        sendJson(exchange, 200, {});
        return true;
    }
    return false;
  }

  #tagJson(repo: RepositoryRecord, image: string, entry: Tag): Record<string, unknown> {
    const pkg = this.#packageName(repo, image);
    return {
      name: `${pkg}/tags/${encodeURIComponent(entry.tag)}`,
      version: `${pkg}/versions/${entry.digest}`,
    };
  }

  /** The digest of a tag body's `version`, which must name a version of this package. */
  #versionOf(repo: RepositoryRecord, image: string, version: unknown): string {
    const text = typeof version === 'string' ? version : '';
    const at = text.lastIndexOf('/versions/');
    const pkg = this.#packageName(repo, image);
    if (at < 0 || imageOf(text.slice(0, at)) !== decodeURIComponent(pkg)) {
      throw invalid(`Tag version "${text}" must be a version of ${pkg}: ${pkg}/versions/sha256:…`);
    }
    return text.slice(at + '/versions/'.length);
  }
}
