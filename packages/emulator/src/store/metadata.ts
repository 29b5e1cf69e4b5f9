import type { CleanupPolicy } from '@ar/cleanup-policy';
import { openSqlite, type SqliteDatabase } from './sqlite.js';

export type RepositoryMode = 'STANDARD_REPOSITORY' | 'REMOTE_REPOSITORY' | 'VIRTUAL_REPOSITORY';

export interface UpstreamPolicy {
  id: string;
  /** `projects/P/locations/L/repositories/R` */
  repository: string;
  priority: number;
}

export interface RemoteConfig {
  description?: string;
  /** Base URL of the upstream registry (`https://registry-1.docker.io`, `http://127.0.0.1:5000`). */
  uri: string;
  /** Emulator extension: credentials for the upstream (AR keeps them in Secret Manager). */
  username?: string;
  password?: string;
}

export interface RepositoryRecord {
  id: number;
  project: string;
  location: string;
  name: string;
  format: string;
  mode: RepositoryMode;
  description: string;
  labels: Record<string, string>;
  immutableTags: boolean;
  remote: RemoteConfig | undefined;
  upstreams: UpstreamPolicy[];
  /** Validated by `@ar/cleanup-policy`, sorted by id. */
  cleanupPolicies: CleanupPolicy[];
  /** AR's `cleanupPolicyDryRun`: evaluate and record, delete nothing. */
  cleanupPolicyDryRun: boolean;
  createMs: number;
  updateMs: number;
}

export interface ManifestRecord {
  repoId: number;
  image: string;
  digest: string;
  mediaType: string;
  size: number;
  content: Buffer;
  imageSize: number;
  buildMs: number;
  uploadedMs: number;
  updatedMs: number;
}

export interface Binding {
  role: string;
  members: string[];
}

interface RepositoryRow {
  id: number;
  project: string;
  location: string;
  name: string;
  format: string;
  mode: string;
  description: string;
  labels: string;
  immutable_tags: number;
  remote: string | null;
  upstreams: string | null;
  cleanup_policies: string | null;
  cleanup_dry_run: number;
  create_ms: number;
  update_ms: number;
}

interface ManifestRow {
  repo_id: number;
  image: string;
  digest: string;
  media_type: string;
  size: number;
  content: Buffer;
  image_size: number;
  build_ms: number;
  uploaded_ms: number;
  updated_ms: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, number TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repositories (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL, location TEXT NOT NULL, name TEXT NOT NULL,
  format TEXT NOT NULL, mode TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}', immutable_tags INTEGER NOT NULL DEFAULT 0,
  remote TEXT, upstreams TEXT, create_ms INTEGER NOT NULL, update_ms INTEGER NOT NULL,
  cleanup_policies TEXT, cleanup_dry_run INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project, location, name)
);
CREATE TABLE IF NOT EXISTS blob_links (
  repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY (repo_id, digest)
);
CREATE TABLE IF NOT EXISTS manifests (
  repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  image TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL,
  content BLOB NOT NULL, image_size INTEGER NOT NULL, build_ms INTEGER NOT NULL,
  uploaded_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
  PRIMARY KEY (repo_id, image, digest)
);
CREATE TABLE IF NOT EXISTS manifest_children (
  repo_id INTEGER NOT NULL, image TEXT NOT NULL, parent TEXT NOT NULL, child TEXT NOT NULL,
  PRIMARY KEY (repo_id, image, parent, child),
  FOREIGN KEY (repo_id, image, parent) REFERENCES manifests(repo_id, image, digest) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS tags (
  repo_id INTEGER NOT NULL, image TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (repo_id, image, tag),
  FOREIGN KEY (repo_id, image, digest) REFERENCES manifests(repo_id, image, digest) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tags_by_digest ON tags (repo_id, image, digest);
CREATE TABLE IF NOT EXISTS project_bindings (
  project TEXT NOT NULL, role TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (project, role, member)
);
CREATE TABLE IF NOT EXISTS repo_bindings (
  repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  role TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (repo_id, role, member)
);
CREATE TABLE IF NOT EXISTS repo_policy_versions (
  repo_id INTEGER PRIMARY KEY REFERENCES repositories(id) ON DELETE CASCADE, version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS service_accounts (
  email TEXT PRIMARY KEY, project TEXT NOT NULL, unique_id TEXT NOT NULL, display_name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS service_account_bindings (
  email TEXT NOT NULL REFERENCES service_accounts(email) ON DELETE CASCADE,
  role TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (email, role, member)
);
CREATE TABLE IF NOT EXISTS service_account_keys (
  key_id TEXT PRIMARY KEY, email TEXT NOT NULL REFERENCES service_accounts(email) ON DELETE CASCADE,
  public_pem TEXT NOT NULL, created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (email TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY, email TEXT NOT NULL, client_id TEXT NOT NULL, client_secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
  token_hash TEXT PRIMARY KEY, principal TEXT NOT NULL, expires_ms INTEGER NOT NULL, scopes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (name TEXT PRIMARY KEY, body TEXT NOT NULL);
`;

function toRepository(row: RepositoryRow): RepositoryRecord {
  return {
    id: row.id,
    project: row.project,
    location: row.location,
    name: row.name,
    format: row.format,
    mode: row.mode as RepositoryMode,
    description: row.description,
    labels: JSON.parse(row.labels) as Record<string, string>,
    immutableTags: row.immutable_tags === 1,
    remote: row.remote === null ? undefined : (JSON.parse(row.remote) as RemoteConfig),
    upstreams: row.upstreams === null ? [] : (JSON.parse(row.upstreams) as UpstreamPolicy[]),
    cleanupPolicies:
      row.cleanup_policies === null ? [] : (JSON.parse(row.cleanup_policies) as CleanupPolicy[]),
    cleanupPolicyDryRun: row.cleanup_dry_run === 1,
    createMs: row.create_ms,
    updateMs: row.update_ms,
  };
}

function toManifest(row: ManifestRow): ManifestRecord {
  return {
    repoId: row.repo_id,
    image: row.image,
    digest: row.digest,
    mediaType: row.media_type,
    size: row.size,
    // node:sqlite reads BLOBs as Uint8Array, better-sqlite3 as Buffer.
    content: Buffer.isBuffer(row.content) ? row.content : Buffer.from(row.content),
    imageSize: row.image_size,
    buildMs: row.build_ms,
    uploadedMs: row.uploaded_ms,
    updatedMs: row.updated_ms,
  };
}

export type NewRepository = Omit<RepositoryRecord, 'id' | 'createMs' | 'updateMs'>;

/**
 * Every piece of metadata, in one SQLite file. Each method is one transaction; SQLite is used
 * synchronously, so a check-then-write inside one method cannot interleave with another request.
 */
export class MetadataStore {
  readonly db: SqliteDatabase;
  #depth = 0;

  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec('PRAGMA journal_mode = WAL');
    // FULL: a commit acknowledged to a client survives a power cut, not only a process kill.
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec('PRAGMA foreign_keys = ON');
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.#addCleanupColumns();
  }

  /** Data dirs made before cleanup policies existed: their repositories table gains the columns. */
  #addCleanupColumns(): void {
    const columns = this.db.prepare('PRAGMA table_info(repositories)').all() as Array<{ name: string }>;
    if (columns.some((column) => column.name === 'cleanup_policies')) return;
    this.db.exec('ALTER TABLE repositories ADD COLUMN cleanup_policies TEXT');
    this.db.exec('ALTER TABLE repositories ADD COLUMN cleanup_dry_run INTEGER NOT NULL DEFAULT 0');
  }

  close(): void {
    this.db.close();
  }

  /** Runs `work` in one transaction (a savepoint when nested); rolled back if it throws. */
  transaction<T>(work: () => T): T {
    const savepoint = `sp${this.#depth}`;
    this.db.exec(this.#depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
    this.#depth++;
    try {
      const result = work();
      this.#depth--;
      this.db.exec(this.#depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.#depth--;
      this.db.exec(this.#depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    }
  }

  // Projects

  ensureProject(project: string): void {
    const number = String(100000000000 + (hashCode(project) % 899999999999));
    this.db.prepare('INSERT OR IGNORE INTO projects (id, number) VALUES (?, ?)').run(project, number);
  }

  projectNumber(project: string): string | undefined {
    const row = this.db.prepare('SELECT number FROM projects WHERE id = ?').get(project) as
      | { number: string }
      | undefined;
    return row?.number;
  }

  // Repositories

  createRepository(repo: NewRepository, now: number): RepositoryRecord {
    this.ensureProject(repo.project);
    const result = this.db
      .prepare(
        `INSERT INTO repositories (project, location, name, format, mode, description, labels, immutable_tags,
           remote, upstreams, cleanup_policies, cleanup_dry_run, create_ms, update_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        repo.project,
        repo.location,
        repo.name,
        repo.format,
        repo.mode,
        repo.description,
        JSON.stringify(repo.labels),
        repo.immutableTags ? 1 : 0,
        repo.remote === undefined ? null : JSON.stringify(repo.remote),
        repo.upstreams.length === 0 ? null : JSON.stringify(repo.upstreams),
        repo.cleanupPolicies.length === 0 ? null : JSON.stringify(repo.cleanupPolicies),
        repo.cleanupPolicyDryRun ? 1 : 0,
        now,
        now,
      );
    return this.repositoryById(Number(result.lastInsertRowid))!;
  }

  updateRepository(repo: RepositoryRecord, now: number): RepositoryRecord {
    this.db
      .prepare(
        `UPDATE repositories SET description = ?, labels = ?, immutable_tags = ?, remote = ?, upstreams = ?,
           cleanup_policies = ?, cleanup_dry_run = ?, update_ms = ? WHERE id = ?`,
      )
      .run(
        repo.description,
        JSON.stringify(repo.labels),
        repo.immutableTags ? 1 : 0,
        repo.remote === undefined ? null : JSON.stringify(repo.remote),
        repo.upstreams.length === 0 ? null : JSON.stringify(repo.upstreams),
        repo.cleanupPolicies.length === 0 ? null : JSON.stringify(repo.cleanupPolicies),
        repo.cleanupPolicyDryRun ? 1 : 0,
        now,
        repo.id,
      );
    return this.repositoryById(repo.id)!;
  }

  deleteRepository(id: number): void {
    this.db.prepare('DELETE FROM repositories WHERE id = ?').run(id);
  }

  repository(project: string, location: string, name: string): RepositoryRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM repositories WHERE project = ? AND location = ? AND name = ?')
      .get(project, location, name) as RepositoryRow | undefined;
    return row === undefined ? undefined : toRepository(row);
  }

  repositoryById(id: number): RepositoryRecord | undefined {
    const row = this.db.prepare('SELECT * FROM repositories WHERE id = ?').get(id) as
      | RepositoryRow
      | undefined;
    return row === undefined ? undefined : toRepository(row);
  }

  repositories(project: string, location: string): RepositoryRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM repositories WHERE project = ? AND location = ? ORDER BY name')
        .all(project, location) as RepositoryRow[]
    ).map(toRepository);
  }

  /** Every repository that has cleanup policies, in any project and location. */
  repositoriesWithCleanupPolicies(): RepositoryRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM repositories WHERE cleanup_policies IS NOT NULL ORDER BY id')
        .all() as RepositoryRow[]
    ).map(toRepository);
  }

  /** Names of the repositories of a project in any location (for "did you mean" hints). */
  repositoryNames(project: string): Array<{ location: string; name: string }> {
    return this.db
      .prepare('SELECT location, name FROM repositories WHERE project = ?')
      .all(project) as Array<{
      location: string;
      name: string;
    }>;
  }

  repositorySize(id: number): number {
    const row = this.db
      .prepare('SELECT COALESCE(SUM(size), 0) AS total FROM blob_links WHERE repo_id = ?')
      .get(id) as {
      total: number;
    };
    return row.total;
  }

  // Blobs

  linkBlob(repoId: number, digest: string, size: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO blob_links (repo_id, digest, size) VALUES (?, ?, ?)')
      .run(repoId, digest, size);
  }

  blobSize(repoId: number, digest: string): number | undefined {
    const row = this.db
      .prepare('SELECT size FROM blob_links WHERE repo_id = ? AND digest = ?')
      .get(repoId, digest) as { size: number } | undefined;
    return row?.size;
  }

  isBlobLinkedAnywhere(digest: string): boolean {
    return this.db.prepare('SELECT 1 FROM blob_links WHERE digest = ? LIMIT 1').get(digest) !== undefined;
  }

  // Manifests and tags

  manifest(repoId: number, image: string, digest: string): ManifestRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM manifests WHERE repo_id = ? AND image = ? AND digest = ?')
      .get(repoId, image, digest) as ManifestRow | undefined;
    return row === undefined ? undefined : toManifest(row);
  }

  tagDigest(repoId: number, image: string, tag: string): string | undefined {
    const row = this.db
      .prepare('SELECT digest FROM tags WHERE repo_id = ? AND image = ? AND tag = ?')
      .get(repoId, image, tag) as { digest: string } | undefined;
    return row?.digest;
  }

  putManifest(record: ManifestRecord, children: readonly string[]): void {
    this.db
      .prepare(
        `INSERT INTO manifests (repo_id, image, digest, media_type, size, content, image_size, build_ms, uploaded_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo_id, image, digest) DO UPDATE SET updated_ms = excluded.updated_ms`,
      )
      .run(
        record.repoId,
        record.image,
        record.digest,
        record.mediaType,
        record.size,
        record.content,
        record.imageSize,
        record.buildMs,
        record.uploadedMs,
        record.updatedMs,
      );
    const child = this.db.prepare(
      'INSERT OR IGNORE INTO manifest_children (repo_id, image, parent, child) VALUES (?, ?, ?, ?)',
    );
    for (const digest of children) child.run(record.repoId, record.image, record.digest, digest);
  }

  setTag(repoId: number, image: string, tag: string, digest: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO tags (repo_id, image, tag, digest, updated_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (repo_id, image, tag) DO UPDATE SET digest = excluded.digest, updated_ms = excluded.updated_ms`,
      )
      .run(repoId, image, tag, digest, now);
  }

  deleteTag(repoId: number, image: string, tag: string): boolean {
    return (
      this.db.prepare('DELETE FROM tags WHERE repo_id = ? AND image = ? AND tag = ?').run(repoId, image, tag)
        .changes > 0
    );
  }

  /** Removes every tag pointing at a manifest; returns how many there were. */
  deleteTagsOf(repoId: number, image: string, digest: string): number {
    return Number(
      this.db
        .prepare('DELETE FROM tags WHERE repo_id = ? AND image = ? AND digest = ?')
        .run(repoId, image, digest).changes,
    );
  }

  /** Removes an image (AR's package): its manifests, and with them its tags and index links. */
  deleteImage(repoId: number, image: string): boolean {
    return (
      this.db.prepare('DELETE FROM manifests WHERE repo_id = ? AND image = ?').run(repoId, image).changes > 0
    );
  }

  deleteManifest(repoId: number, image: string, digest: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM manifests WHERE repo_id = ? AND image = ? AND digest = ?')
        .run(repoId, image, digest).changes > 0
    );
  }

  /** Digests of index manifests in this image that list `digest` as a child. */
  parentsOf(repoId: number, image: string, digest: string): string[] {
    return (
      this.db
        .prepare('SELECT parent FROM manifest_children WHERE repo_id = ? AND image = ? AND child = ?')
        .all(repoId, image, digest) as Array<{ parent: string }>
    ).map((row) => row.parent);
  }

  tags(repoId: number, image: string): Array<{ tag: string; digest: string }> {
    return this.db
      .prepare('SELECT tag, digest FROM tags WHERE repo_id = ? AND image = ? ORDER BY tag')
      .all(repoId, image) as Array<{ tag: string; digest: string }>;
  }

  /** Every tag of a repository, in one query: `image` → `digest` → tags. */
  tagsByVersion(repoId: number): Map<string, Map<string, string[]>> {
    const rows = this.db
      .prepare('SELECT image, tag, digest FROM tags WHERE repo_id = ? ORDER BY image, tag')
      .all(repoId) as Array<{ image: string; tag: string; digest: string }>;
    const byImage = new Map<string, Map<string, string[]>>();
    for (const { image, tag, digest } of rows) {
      const byDigest = byImage.get(image) ?? new Map<string, string[]>();
      byImage.set(image, byDigest);
      byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
    }
    return byImage;
  }

  tagsOf(repoId: number, image: string, digest: string): string[] {
    return (
      this.db
        .prepare('SELECT tag FROM tags WHERE repo_id = ? AND image = ? AND digest = ? ORDER BY tag')
        .all(repoId, image, digest) as Array<{ tag: string }>
    ).map((row) => row.tag);
  }

  manifests(repoId: number, image?: string): ManifestRecord[] {
    const rows = (
      image === undefined
        ? this.db.prepare('SELECT * FROM manifests WHERE repo_id = ? ORDER BY image, digest').all(repoId)
        : this.db
            .prepare('SELECT * FROM manifests WHERE repo_id = ? AND image = ? ORDER BY digest')
            .all(repoId, image)
    ) as ManifestRow[];
    return rows.map(toManifest);
  }

  childrenOf(repoId: number, image: string, digest: string): string[] {
    return (
      this.db
        .prepare(
          'SELECT child FROM manifest_children WHERE repo_id = ? AND image = ? AND parent = ? ORDER BY child',
        )
        .all(repoId, image, digest) as Array<{ child: string }>
    ).map((row) => row.child);
  }

  /** Image paths directly or indirectly below `prefix` in a repository (for tags/list child names). */
  images(repoId: number): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT image FROM manifests WHERE repo_id = ? ORDER BY image')
        .all(repoId) as Array<{
        image: string;
      }>
    ).map((row) => row.image);
  }

  // IAM

  projectBindings(project: string): Binding[] {
    return groupBindings(
      this.db
        .prepare('SELECT role, member FROM project_bindings WHERE project = ?')
        .all(project) as BindingRow[],
    );
  }

  addProjectBinding(project: string, role: string, member: string): void {
    this.ensureProject(project);
    this.db
      .prepare('INSERT OR IGNORE INTO project_bindings (project, role, member) VALUES (?, ?, ?)')
      .run(project, role, member);
  }

  repositoryBindings(repoId: number): Binding[] {
    return groupBindings(
      this.db.prepare('SELECT role, member FROM repo_bindings WHERE repo_id = ?').all(repoId) as BindingRow[],
    );
  }

  addRepositoryBinding(repoId: number, role: string, member: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO repo_bindings (repo_id, role, member) VALUES (?, ?, ?)')
      .run(repoId, role, member);
    this.bumpPolicyVersion(repoId);
  }

  replaceRepositoryBindings(repoId: number, bindings: readonly Binding[]): void {
    this.db.prepare('DELETE FROM repo_bindings WHERE repo_id = ?').run(repoId);
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO repo_bindings (repo_id, role, member) VALUES (?, ?, ?)',
    );
    for (const binding of bindings)
      for (const member of binding.members) insert.run(repoId, binding.role, member);
    this.bumpPolicyVersion(repoId);
  }

  policyVersion(repoId: number): number {
    const row = this.db.prepare('SELECT version FROM repo_policy_versions WHERE repo_id = ?').get(repoId) as
      | { version: number }
      | undefined;
    return row?.version ?? 0;
  }

  private bumpPolicyVersion(repoId: number): void {
    this.db
      .prepare(
        `INSERT INTO repo_policy_versions (repo_id, version) VALUES (?, 1)
         ON CONFLICT (repo_id) DO UPDATE SET version = version + 1`,
      )
      .run(repoId);
  }

  // Principals

  createServiceAccount(email: string, project: string, uniqueId: string, displayName: string): void {
    this.ensureProject(project);
    this.db
      .prepare(
        'INSERT OR IGNORE INTO service_accounts (email, project, unique_id, display_name) VALUES (?, ?, ?, ?)',
      )
      .run(email, project, uniqueId, displayName);
  }

  serviceAccount(email: string): { email: string; project: string; uniqueId: string } | undefined {
    const row = this.db
      .prepare('SELECT email, project, unique_id FROM service_accounts WHERE email = ?')
      .get(email) as { email: string; project: string; unique_id: string } | undefined;
    return row === undefined
      ? undefined
      : { email: row.email, project: row.project, uniqueId: row.unique_id };
  }

  serviceAccountBindings(email: string): Binding[] {
    return groupBindings(
      this.db
        .prepare('SELECT role, member FROM service_account_bindings WHERE email = ?')
        .all(email) as BindingRow[],
    );
  }

  addServiceAccountBinding(email: string, role: string, member: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO service_account_bindings (email, role, member) VALUES (?, ?, ?)')
      .run(email, role, member);
  }

  addServiceAccountKey(keyId: string, email: string, publicPem: string, now: number): void {
    this.db
      .prepare('INSERT INTO service_account_keys (key_id, email, public_pem, created_ms) VALUES (?, ?, ?, ?)')
      .run(keyId, email, publicPem, now);
  }

  serviceAccountKey(keyId: string): { email: string; publicPem: string } | undefined {
    const row = this.db
      .prepare('SELECT email, public_pem FROM service_account_keys WHERE key_id = ?')
      .get(keyId) as { email: string; public_pem: string } | undefined;
    return row === undefined ? undefined : { email: row.email, publicPem: row.public_pem };
  }

  serviceAccountKeys(email: string): Array<{ keyId: string; publicPem: string }> {
    return (
      this.db
        .prepare('SELECT key_id, public_pem FROM service_account_keys WHERE email = ?')
        .all(email) as Array<{
        key_id: string;
        public_pem: string;
      }>
    ).map((row) => ({ keyId: row.key_id, publicPem: row.public_pem }));
  }

  addUser(email: string): void {
    this.db.prepare('INSERT OR IGNORE INTO users (email) VALUES (?)').run(email);
  }

  hasUser(email: string): boolean {
    return this.db.prepare('SELECT 1 FROM users WHERE email = ?').get(email) !== undefined;
  }

  addRefreshToken(tokenHash: string, email: string, clientId: string, clientSecret: string): void {
    this.db
      .prepare('INSERT INTO refresh_tokens (token_hash, email, client_id, client_secret) VALUES (?, ?, ?, ?)')
      .run(tokenHash, email, clientId, clientSecret);
  }

  refreshToken(tokenHash: string): { email: string; clientId: string; clientSecret: string } | undefined {
    const row = this.db
      .prepare('SELECT email, client_id, client_secret FROM refresh_tokens WHERE token_hash = ?')
      .get(tokenHash) as { email: string; client_id: string; client_secret: string } | undefined;
    return row === undefined
      ? undefined
      : { email: row.email, clientId: row.client_id, clientSecret: row.client_secret };
  }

  addAccessToken(tokenHash: string, principal: string, expiresMs: number, scopes: string): void {
    this.db
      .prepare('INSERT INTO access_tokens (token_hash, principal, expires_ms, scopes) VALUES (?, ?, ?, ?)')
      .run(tokenHash, principal, expiresMs, scopes);
  }

  accessToken(tokenHash: string): { principal: string; expiresMs: number } | undefined {
    const row = this.db
      .prepare('SELECT principal, expires_ms FROM access_tokens WHERE token_hash = ?')
      .get(tokenHash) as { principal: string; expires_ms: number } | undefined;
    return row === undefined ? undefined : { principal: row.principal, expiresMs: row.expires_ms };
  }

  pruneAccessTokens(now: number): void {
    this.db.prepare('DELETE FROM access_tokens WHERE expires_ms < ?').run(now);
  }

  // Long-running operations (always done, kept so that clients can poll them)

  putOperation(name: string, body: unknown): void {
    this.db
      .prepare('INSERT OR REPLACE INTO operations (name, body) VALUES (?, ?)')
      .run(name, JSON.stringify(body));
  }

  operation(name: string): unknown {
    const row = this.db.prepare('SELECT body FROM operations WHERE name = ?').get(name) as
      | { body: string }
      | undefined;
    return row === undefined ? undefined : JSON.parse(row.body);
  }
}

interface BindingRow {
  role: string;
  member: string;
}

function groupBindings(rows: readonly BindingRow[]): Binding[] {
  const byRole = new Map<string, string[]>();
  for (const row of rows) {
    const members = byRole.get(row.role) ?? [];
    members.push(row.member);
    byRole.set(row.role, members);
  }
  return [...byRole.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, members]) => ({ role, members: members.sort() }));
}

function hashCode(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
}
