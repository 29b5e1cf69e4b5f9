import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ArClient } from '@ar/core';
import { ArApiError } from '../errors.js';
import { jobErrorOf, jobProgressReporter, NO_PROGRESS } from './progress.js';
import type { Job, JobCounts, JobExecutor, JobStore, JobSubmission } from './types.js';

export interface MemoryJobStoreOptions {
  client: ArClient;
  executors: Readonly<Record<string, JobExecutor>>;
  /** Jobs running at once; more are refused with 503 rather than queued, so a restart loses no queue. */
  maxRunning?: number;
  /** How long a finished job stays visible. */
  retainMs?: number;
}

interface Entry {
  job: Job;
  abort: AbortController;
  settled: Promise<void>;
  failure: unknown;
  idempotencyKey: string | undefined;
}

export const jobNotFound = (id: string) =>
  new ArApiError(
    'AR_API_JOB_NOT_FOUND',
    `No job ${id} of yours. Jobs are kept for a while after they end (api.jobs.retentionSeconds); with the memory store only on the instance that started them. Start it again if it is gone.`,
  );

export const shuttingDown = () =>
  new ArApiError('AR_API_SHUTTING_DOWN', 'The service is shutting down; retry on another instance.', {
    retryable: true,
  });

/**
 * The embedded default: jobs in this instance's memory, nothing to set up. A restart loses them;
 * a copy is idempotent (present blobs are skipped, the tag is written last), so a client that
 * loses its job starts the copy again. For jobs that survive, use the Postgres store.
 */
export class MemoryJobStore extends EventEmitter implements JobStore {
  readonly #entries = new Map<string, Entry>();
  readonly #client: ArClient;
  readonly #executors: Readonly<Record<string, JobExecutor>>;
  readonly #maxRunning: number;
  readonly #retainMs: number;
  #closing = false;

  constructor(options: MemoryJobStoreOptions) {
    super();
    this.#client = options.client;
    this.#executors = options.executors;
    this.#maxRunning = options.maxRunning ?? 4;
    this.#retainMs = options.retainMs ?? 60 * 60 * 1000;
  }

  get runningHere(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.job.state === 'running') count++;
    return count;
  }

  async counts(): Promise<JobCounts> {
    this.#prune();
    const counts: JobCounts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const entry of this.#entries.values()) counts[entry.job.state]++;
    return counts;
  }

  async submit({ kind, owner, params, idempotencyKey }: JobSubmission): Promise<Job> {
    if (this.#closing) throw shuttingDown();
    this.#prune();
    if (idempotencyKey !== undefined) {
      for (const entry of this.#entries.values())
        if (entry.job.owner === owner && entry.idempotencyKey === idempotencyKey) return entry.job;
    }
    const executor = this.#executors[kind];
    if (!executor) throw new Error(`no executor for job kind ${kind}`);
    if (this.runningHere >= this.#maxRunning) {
      throw new ArApiError(
        'AR_API_JOBS_BUSY',
        `${this.#maxRunning} jobs are running on this instance already; retry in a moment.`,
        { retryable: true },
      );
    }
    const now = new Date().toISOString();
    const job: Job = {
      id: randomUUID(),
      kind,
      owner,
      state: 'running',
      createdAt: now,
      updatedAt: now,
      request: params,
      progress: NO_PROGRESS,
      result: undefined,
      error: undefined,
    };
    const abort = new AbortController();
    const entry: Entry = { job, abort, settled: Promise.resolve(), failure: undefined, idempotencyKey };
    const report = jobProgressReporter(job, () => this.emit('update', job));
    entry.settled = executor(this.#client, params, report, abort.signal)
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
                'Cancelled: the service shut down before the job finished. Start it again; blobs already copied are skipped.',
            };
          } else {
            job.state = 'failed';
            const { code, message } = jobErrorOf(error);
            job.error = { code, message };
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

  async get(id: string, owner: string): Promise<Job> {
    this.#prune();
    const entry = this.#entries.get(id);
    if (!entry || entry.job.owner !== owner) throw jobNotFound(id);
    return entry.job;
  }

  failureOf(job: Job): unknown {
    return this.#entries.get(job.id)?.failure;
  }

  async waitFor(id: string, owner: string, ms: number): Promise<Job> {
    const job = await this.get(id, owner);
    const entry = this.#entries.get(id)!;
    if (ms <= 0 || job.state !== 'running') return job;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([entry.settled, timeout]);
    clearTimeout(timer);
    return job;
  }

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
