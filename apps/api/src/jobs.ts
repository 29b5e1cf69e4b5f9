import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { TransferProgress } from '@ar/core';
import { ArApiError } from './errors.js';

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  bytes: number;
  totalBytes: number;
  blobsDone: number;
  blobsTotal: number;
  images: number;
}

export interface Job<Request = unknown, Result = unknown> {
  id: string;
  kind: string;
  /** The caller who started it: only they see it. */
  owner: string;
  state: JobState;
  createdAt: string;
  updatedAt: string;
  request: Request;
  progress: JobProgress;
  result: Result | undefined;
  error: { code: string; message: string } | undefined;
}

export interface JobManagerOptions {
  /** Copies running at once; more are refused with 503 rather than queued, so a restart loses no queue. */
  maxRunning?: number;
  /** How long a finished job stays visible. */
  retainMs?: number;
}

interface Entry {
  job: Job;
  abort: AbortController;
  settled: Promise<void>;
  /** Distinct blobs (images of one copy share some): size, bytes so far, done. */
  blobs: Map<string, { size: number; bytes: number; done: boolean }>;
  images: Set<string>;
  failure: unknown;
}

/**
 * Long operations of this instance. Jobs live in memory on purpose: the service keeps no
 * database, and a copy is idempotent (present blobs are skipped, the tag is written last), so a
 * client that loses its job (another instance, a restart) starts the copy again.
 *
 * Events: `update` (job) on progress and state changes; `settled` (job) once it ends.
 */
export class JobManager extends EventEmitter {
  readonly #entries = new Map<string, Entry>();
  readonly #maxRunning: number;
  readonly #retainMs: number;
  #closing = false;

  constructor(options: JobManagerOptions = {}) {
    super();
    this.#maxRunning = options.maxRunning ?? 4;
    this.#retainMs = options.retainMs ?? 60 * 60 * 1000;
  }

  get running(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.job.state === 'running') count++;
    return count;
  }

  countByState(): Record<JobState, number> {
    const counts: Record<JobState, number> = { running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const entry of this.#entries.values()) counts[entry.job.state]++;
    return counts;
  }

  start<Request, Result>(
    kind: string,
    owner: string,
    request: Request,
    run: (signal: AbortSignal, onProgress: (event: TransferProgress) => void) => Promise<Result>,
  ): Job<Request, Result> {
    if (this.#closing)
      throw new ArApiError(
        'AR_API_SHUTTING_DOWN',
        'The service is shutting down; retry on another instance.',
        {
          retryable: true,
        },
      );
    this.#prune();
    if (this.running >= this.#maxRunning) {
      throw new ArApiError(
        'AR_API_JOBS_BUSY',
        `${this.#maxRunning} jobs are running on this instance already; retry in a moment.`,
        { retryable: true },
      );
    }
    const now = new Date().toISOString();
    const job: Job<Request, Result> = {
      id: randomUUID(),
      kind,
      owner,
      state: 'running',
      createdAt: now,
      updatedAt: now,
      request,
      progress: { bytes: 0, totalBytes: 0, blobsDone: 0, blobsTotal: 0, images: 0 },
      result: undefined,
      error: undefined,
    };
    const abort = new AbortController();
    const entry: Entry = {
      job: job as Job,
      abort,
      settled: Promise.resolve(),
      blobs: new Map(),
      images: new Set(),
      failure: undefined,
    };
    // Blob events carry the bytes as they move (image events come only as each blob ends).
    const onProgress = (event: TransferProgress) => {
      if (event.type === 'status') return;
      if (event.type === 'image') entry.images.add(event.digest);
      else
        entry.blobs.set(event.id, {
          size: event.size ?? 0,
          bytes: event.bytes,
          done: event.state === 'done' || event.state === 'exists' || event.state === 'mounted',
        });
      let bytes = 0;
      let totalBytes = 0;
      let blobsDone = 0;
      for (const blob of entry.blobs.values()) {
        bytes += blob.bytes;
        totalBytes += blob.size;
        if (blob.done) blobsDone++;
      }
      job.progress = {
        bytes,
        totalBytes,
        blobsDone,
        blobsTotal: entry.blobs.size,
        images: entry.images.size,
      };
      job.updatedAt = new Date().toISOString();
      this.emit('update', job);
    };
    entry.settled = run(abort.signal, onProgress)
      .then(
        (result) => {
          job.result = result;
          job.state = 'succeeded';
        },
        (error: unknown) => {
          entry.failure = error;
          if (abort.signal.aborted) {
            job.state = 'cancelled';
            job.error = {
              code: 'AR_API_JOB_CANCELLED',
              message:
                'Cancelled: the service shut down before the copy finished. Start it again; blobs already copied are skipped.',
            };
          } else {
            job.state = 'failed';
            const { code, message } = error as { code?: unknown; message?: unknown };
            job.error = {
              code: typeof code === 'string' && code.startsWith('AR_') ? code : 'AR_API_INTERNAL',
              message: typeof message === 'string' ? message : 'The job failed.',
            };
          }
        },
      )
      .finally(() => {
        job.updatedAt = new Date().toISOString();
        this.emit('update', job);
        this.emit('settled', job);
      });
    this.#entries.set(job.id, entry);
    this.emit('update', job);
    return job;
  }

  /** The caller's job; another caller's is as absent as an unknown one (ids are not secrets). */
  get(id: string, owner: string): Job {
    this.#prune();
    const entry = this.#entries.get(id);
    if (!entry || entry.job.owner !== owner)
      throw new ArApiError(
        'AR_API_JOB_NOT_FOUND',
        `No job ${id} of yours on this instance. Jobs live on the instance that started them, for a while after they end; start the copy again if it is gone.`,
      );
    return entry.job;
  }

  /** The error a failed job ended with, as thrown (to answer a copy that failed within the wait). */
  failureOf(id: string): unknown {
    return this.#entries.get(id)?.failure;
  }

  /** Resolves true when the job has ended within `ms`, false otherwise. */
  async waitFor(id: string, ms: number): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (!entry) return true;
    if (ms <= 0) return entry.job.state !== 'running';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([entry.settled.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Refuses new jobs, then lets running ones finish for up to `graceMs` (`finish`), or aborts them
   * at once (`cancel`); resolves when every job has ended.
   */
  async close(options: { mode: 'finish' | 'cancel'; graceMs: number }): Promise<void> {
    this.#closing = true;
    const running = [...this.#entries.values()].filter((entry) => entry.job.state === 'running');
    if (options.mode === 'cancel') for (const entry of running) entry.abort.abort();
    const all = Promise.all(running.map((entry) => entry.settled));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.graceMs);
    });
    await Promise.race([all, grace]);
    clearTimeout(timer);
    for (const entry of running) if (entry.job.state === 'running') entry.abort.abort();
    await all;
  }

  #prune(): void {
    const cutoff = Date.now() - this.#retainMs;
    for (const [id, entry] of this.#entries) {
      if (entry.job.state !== 'running' && Date.parse(entry.job.updatedAt) < cutoff) this.#entries.delete(id);
    }
  }
}
