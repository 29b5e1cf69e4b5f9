import { randomUUID } from 'node:crypto';
import type { BlobStore, StagedBlob } from '../store/blob-store.js';

export interface UploadSession {
  readonly id: string;
  readonly repoId: number;
  readonly image: string;
  staged: StagedBlob | undefined;
  /** True while a PATCH or PUT is streaming into it: a second one is a chunked upload. */
  busy: boolean;
  /** When a request last used it (the clock of `UploadSessions`). */
  lastUsedMs: number;
}

/**
 * Open blob uploads (POST … PATCH … PUT), in memory like the distribution registry's. A session
 * nobody has used for `idleMs` is ended and its staged data removed, so an abandoned upload cannot
 * keep a file under `tmp/` until the next restart; one that is receiving data is never idle.
 */
export class UploadSessions {
  readonly #sessions = new Map<string, UploadSession>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  open(repoId: number, image: string): UploadSession {
    const session: UploadSession = {
      id: randomUUID(),
      repoId,
      image,
      staged: undefined,
      busy: false,
      lastUsedMs: this.now(),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The session, marked as used now; undefined when unknown, finished or expired. */
  use(id: string): UploadSession | undefined {
    const session = this.#sessions.get(id);
    if (session !== undefined) session.lastUsedMs = this.now();
    return session;
  }

  /** Forgets a session (finished); its staged data is the caller's. */
  finish(session: UploadSession): void {
    this.#sessions.delete(session.id);
  }

  /** Forgets a session and removes its staged data (cancelled or refused). */
  async abandon(session: UploadSession): Promise<void> {
    this.#sessions.delete(session.id);
    if (session.staged !== undefined) await this.blobs.discard(session.staged);
  }

  /** Ends the sessions idle for longer than the timeout, removing their data; returns how many. */
  async expireIdle(): Promise<number> {
    const cutoff = this.now() - this.idleMs;
    const idle = [...this.#sessions.values()].filter(
      (session) => !session.busy && session.lastUsedMs <= cutoff,
    );
    await Promise.all(idle.map((session) => this.abandon(session)));
    return idle.length;
  }

  get size(): number {
    return this.#sessions.size;
  }
}
