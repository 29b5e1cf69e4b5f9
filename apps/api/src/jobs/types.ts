import type { EventEmitter } from 'node:events';
import type { ArClient, TransferProgress } from '@ar/core';

/** `queued` only in the Postgres store: the memory store refuses work it cannot start at once. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

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
  /** The job's parameters (JSON), as the caller sent them. */
  request: Request;
  progress: JobProgress;
  result: Result | undefined;
  /** `kind` (the error's, as @ar/errors names them) sets the HTTP status a failure answers with; it is not shown. */
  error: { code: string; message: string; kind?: string } | undefined;
}

/**
 * Runs one kind of job. Parameters are JSON (they may come back from the database on another
 * instance); progress is reported as @ar/core reports transfers; the signal aborts on shutdown
 * or when another instance has taken the job over. Must be idempotent: a job may run again.
 */
export type JobExecutor = (
  client: ArClient,
  params: unknown,
  report: (event: TransferProgress) => void,
  signal: AbortSignal,
) => Promise<unknown>;

export interface JobSubmission {
  kind: string;
  owner: string;
  params: unknown;
  /** A client's retry with the same key (same owner) gets the same job, not a second one. */
  idempotencyKey?: string | undefined;
}

export type JobCounts = Record<JobState, number>;

/**
 * Where jobs live and who runs them. Events (`update`, `settled`, with the job) come for jobs
 * that run on this instance.
 */
export interface JobStore extends EventEmitter {
  submit(submission: JobSubmission): Promise<Job>;
  /** The caller's job; another caller's is as absent as an unknown one (ids are not secrets). */
  get(id: string, owner: string): Promise<Job>;
  /** The job once it has ended, or as it is after `ms`. */
  waitFor(id: string, owner: string, ms: number): Promise<Job>;
  /** The error a failed job ended with (as thrown when it ran here, else rebuilt from what was stored). */
  failureOf(job: Job): unknown;
  /** Jobs by state (Postgres: of every replica, within the retention). */
  counts(): Promise<JobCounts>;
  /** Jobs running on this instance. */
  readonly runningHere: number;
  /**
   * Refuses new jobs, lets running ones go on for up to `graceMs` (`finish`) or not (`cancel`),
   * then stops the rest: the memory store cancels them, the Postgres store hands them back to the queue.
   */
  close(options: { mode: 'finish' | 'cancel'; graceMs: number }): Promise<void>;
}
