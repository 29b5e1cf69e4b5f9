import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { ArClient } from '@ar/core';
import { ArError, type ErrorKind } from '@ar/errors';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { ArApiError } from '../errors.js';
import { jobNotFound, shuttingDown } from './memory-store.js';
import { jobErrorOf, jobProgressReporter, NO_PROGRESS } from './progress.js';
import {
  FINAL_STATES,
  type Job,
  type JobCounts,
  type JobExecutor,
  type JobState,
  type JobStore,
  type JobSubmission,
} from './types.js';

export interface PostgresJobStoreOptions {
  /** `postgres://…`: every replica given the same database shares the jobs. */
  url: string;
  client: ArClient;
  executors: Readonly<Record<string, JobExecutor>>;
  logger: Logger;
  /** Jobs this instance runs at once. */
  maxRunning: number;
  /** How long one attempt may run before it is presumed dead and another instance takes the job. */
  leaseSeconds: number;
  /** How long a finished job stays readable. */
  retentionSeconds: number;
  /** Least time between two progress writes of one job. */
  progressIntervalMs: number;
  /** How often an idle instance asks for work. Default 1 s (pg-boss's floor is 0.5 s). */
  pollSeconds?: number;
}

/** Our table lives in its own schema; pg-boss keeps its queue in another. */
const SCHEMA = 'ar_api';
const BOSS_SCHEMA = 'ar_api_queue';
const QUEUE = 'jobs';
/** Where pg-boss puts a job it gave up on (taken over or handed back too often). */
const GAVE_UP = 'jobs-gave-up';
/** Attempts (after a dead or stopping instance) before a job is given up. */
const ATTEMPTS = 5;
const WAIT_POLL_MS = 250;

const DDL = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  owner text NOT NULL,
  idempotency_key text,
  params jsonb NOT NULL,
  state text NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  progress jsonb NOT NULL,
  result jsonb,
  error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, idempotency_key)
);
CREATE INDEX IF NOT EXISTS jobs_state_updated ON ${SCHEMA}.jobs (state, updated_at);`;

interface Row {
  id: string;
  kind: string;
  owner: string;
  params: unknown;
  state: JobState;
  attempt: number;
  progress: Job['progress'];
  result: unknown;
  error: { code: string; message: string; kind?: string } | null;
  created_at: Date;
  updated_at: Date;
}

const toJob = (row: Row): Job => ({
  id: row.id,
  kind: row.kind,
  owner: row.owner,
  state: row.state,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  request: row.params,
  progress: row.progress,
  result: row.result ?? undefined,
  error: row.error ?? undefined,
});

/** Why a running attempt was stopped here. */
type StopReason = 'shutdown' | 'superseded';

interface Running {
  abort: AbortController;
  done: Promise<unknown>;
}

/**
 * Jobs in Postgres, run by whichever instance is free, on pg-boss (see the README for why).
 * pg-boss owns the queue: who runs what, the lease (`expireInSeconds`: an attempt that outlives it
 * is failed and retried elsewhere), retries and its own clean-up. Our table holds what the API
 * shows: owner, parameters, state, progress (written at most every `progressIntervalMs`), result,
 * and the idempotency keys (a unique constraint). Each attempt bumps `attempt`; an instance writes
 * only while the attempt is still its own, so one that was presumed dead and comes back stops.
 */
export class PostgresJobStore extends EventEmitter implements JobStore {
  readonly #options: PostgresJobStoreOptions;
  readonly #pool: pg.Pool;
  readonly #boss: PgBoss;
  readonly #running = new Map<string, Running>();
  /** Errors of jobs that failed here, as thrown, for the request that waits on them. */
  readonly #failures = new Map<string, unknown>();
  #closing = false;
  #pruneTimer: NodeJS.Timeout | undefined;

  private constructor(options: PostgresJobStoreOptions) {
    super();
    this.#options = options;
    this.#pool = new pg.Pool({ connectionString: options.url, max: options.maxRunning + 4 });
    this.#pool.on('error', (error) =>
      options.logger.warn({ err: error }, 'job store: idle connection failed'),
    );
    const { leaseSeconds, retentionSeconds } = options;
    this.#boss = new PgBoss({
      db: { executeSql: (text, values) => this.#pool.query(text, values) },
      schema: BOSS_SCHEMA,
      // Expired attempts are found by this sweep: a fraction of the lease, so takeover follows it closely.
      maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(leaseSeconds / 4))),
      deleteAfterSeconds: retentionSeconds,
      schedule: false,
    });
    this.#boss.on('error', (error) => options.logger.warn({ err: error }, 'job queue error'));
  }

  static async open(options: PostgresJobStoreOptions): Promise<PostgresJobStore> {
    const store = new PostgresJobStore(options);
    try {
      await store.#start();
    } catch (error) {
      await store.#pool.end().catch(() => {});
      throw new ArApiError(
        'AR_API_JOB_STORE_UNAVAILABLE',
        `Cannot open the job store in Postgres (api.jobs.store): ${(error as Error).message}. Check that the database is reachable and the user may create schemas.`,
        { cause: error },
      );
    }
    return store;
  }

  async #start(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      // Two replicas starting at once would race on CREATE … IF NOT EXISTS, ours and pg-boss's
      // (seen: a duplicate pg_namespace key): one sets up while the other waits on this lock.
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('${SCHEMA}.jobs'))`);
      await client.query(DDL);
      await this.#boss.start();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    const { leaseSeconds, maxRunning, pollSeconds = 1 } = this.#options;
    await this.#boss.createQueue(GAVE_UP);
    await this.#boss.createQueue(QUEUE, {
      name: QUEUE,
      expireInSeconds: leaseSeconds,
      retryLimit: ATTEMPTS - 1,
      retryDelay: 0,
      deadLetter: GAVE_UP,
    });
    for (let i = 0; i < maxRunning; i++)
      await this.#boss.work<{ id: string }>(
        QUEUE,
        { batchSize: 1, pollingIntervalSeconds: pollSeconds },
        ([job]) => this.#run(job!.data.id),
      );
    await this.#boss.work<{ id: string }>(GAVE_UP, { pollingIntervalSeconds: pollSeconds }, async (jobs) => {
      for (const job of jobs) await this.#gaveUp(job.data.id);
    });
    const sweepMs = Math.min(this.#options.retentionSeconds, 60) * 1000;
    this.#pruneTimer = setInterval(() => {
      this.#prune().catch((error) => this.#options.logger.warn({ err: error }, 'job store: prune failed'));
    }, sweepMs);
    this.#pruneTimer.unref();
  }

  async submit({ kind, owner, params, idempotencyKey }: JobSubmission): Promise<Job> {
    if (this.#closing) throw shuttingDown();
    if (!this.#options.executors[kind]) throw new Error(`no executor for job kind ${kind}`);
    const id = randomUUID();
    const client = await this.#pool.connect();
    try {
      // The row and its queue entry commit together: no job the API shows that nobody will run.
      await client.query('BEGIN');
      const { rows } = await client.query<Row>(
        `INSERT INTO ${SCHEMA}.jobs (id, kind, owner, idempotency_key, params, state, progress)
         VALUES ($1, $2, $3, $4, $5, 'queued', $6)
         ON CONFLICT (owner, idempotency_key) DO NOTHING RETURNING *`,
        [id, kind, owner, idempotencyKey ?? null, JSON.stringify(params), NO_PROGRESS],
      );
      if (rows[0])
        await this.#boss.send(
          QUEUE,
          { id },
          { id, db: { executeSql: (text, values) => client.query(text, values) } },
        );
      await client.query('COMMIT');
      if (rows[0]) return toJob(rows[0]);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    // The key was taken: a concurrent insert waited for that one to commit, so the row is there.
    const { rows } = await this.#pool.query<Row>(
      `SELECT * FROM ${SCHEMA}.jobs WHERE owner = $1 AND idempotency_key = $2`,
      [owner, idempotencyKey],
    );
    if (!rows[0]) return this.submit({ kind, owner, params, idempotencyKey });
    return toJob(rows[0]);
  }

  async get(id: string, owner: string): Promise<Job> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT * FROM ${SCHEMA}.jobs WHERE id = $1 AND owner = $2
         AND (state IN ('queued', 'running') OR updated_at > now() - make_interval(secs => $3))`,
      [id, owner, this.#options.retentionSeconds],
    );
    if (!rows[0]) throw jobNotFound(id);
    return toJob(rows[0]);
  }

  async waitFor(id: string, owner: string, ms: number): Promise<Job> {
    const deadline = Date.now() + ms;
    let job = await this.get(id, owner);
    // It may run on any instance: ask the database until it ends or the wait is over (or the
    // service stops, closing the database connections: then the caller gets the job as it is).
    while (!FINAL_STATES.has(job.state) && Date.now() < deadline) {
      await delay(Math.min(WAIT_POLL_MS, deadline - Date.now()));
      if (this.#closing) break;
      job = await this.get(id, owner);
    }
    return job;
  }

  failureOf(job: Job): unknown {
    const here = this.#failures.get(job.id);
    if (here) return here;
    const { code, message } = job.error ?? { code: 'AR_API_INTERNAL', message: 'The job failed.' };
    return new ArError(code, message, {
      kind: (job.error?.kind as ErrorKind | undefined) ?? 'INTERNAL',
    });
  }

  async counts(): Promise<JobCounts> {
    const counts: JobCounts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    const { rows } = await this.#pool.query<{ state: JobState; count: string }>(
      `SELECT state, count(*) FROM ${SCHEMA}.jobs
       WHERE state IN ('queued', 'running') OR updated_at > now() - make_interval(secs => $1)
       GROUP BY state`,
      [this.#options.retentionSeconds],
    );
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }

  get runningHere(): number {
    return this.#running.size;
  }

  async close(options: { mode: 'finish' | 'cancel'; graceMs: number }): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#pruneTimer);
    // Take no more work, let running attempts go on for the grace, then hand the rest back:
    // pg-boss retries them at once on another instance.
    await Promise.all([this.#boss.offWork(QUEUE), this.#boss.offWork(GAVE_UP)]);
    const running = [...this.#running.values()].map((entry) => entry.done.catch(() => {}));
    if (options.mode === 'finish') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(running),
        new Promise((resolve) => (timer = setTimeout(resolve, options.graceMs))),
      ]);
      clearTimeout(timer);
    }
    for (const entry of this.#running.values()) entry.abort.abort('shutdown' satisfies StopReason);
    await Promise.all(running);
    await this.#boss.stop({ graceful: true, close: false, timeout: 5000 });
    await this.#pool.end();
  }

  /** One attempt at a job, as pg-boss hands it to this instance. Throws to hand it back. */
  async #run(id: string): Promise<void> {
    const { executors, client, logger, progressIntervalMs } = this.#options;
    const { rows } = await this.#pool.query<Row>(
      `UPDATE ${SCHEMA}.jobs SET state = 'running', attempt = attempt + 1, progress = $2, updated_at = now()
       WHERE id = $1 AND state IN ('queued', 'running') RETURNING *`,
      [id, NO_PROGRESS],
    );
    const row = rows[0];
    if (!row) return; // ended, or pruned: nothing to do
    const { attempt } = row;
    const abort = new AbortController();
    const job = toJob(row);
    // Writes only while the attempt is ours: after a takeover the row's attempt is higher.
    const write = async (set: string, values: unknown[]): Promise<boolean> => {
      const result = await this.#pool.query(
        `UPDATE ${SCHEMA}.jobs SET ${set}, updated_at = now() WHERE id = $1 AND attempt = $2`,
        [id, attempt, ...values],
      );
      if (result.rowCount === 0) abort.abort('superseded' satisfies StopReason);
      return result.rowCount !== 0;
    };
    let pending: NodeJS.Timeout | undefined;
    let writing: Promise<unknown> = Promise.resolve();
    const flush = () => {
      pending = undefined;
      const progress = job.progress;
      writing = writing
        .then(() => write('progress = $3', [progress]))
        .catch((error) => logger.warn({ err: error, job: id }, 'job progress not saved'));
    };
    const report = jobProgressReporter(job, () => {
      this.emit('update', job);
      pending ??= setTimeout(flush, progressIntervalMs);
    });
    // pg-boss gives the job to another instance when the lease ends: stop here then too.
    const lease = setTimeout(
      () => abort.abort('superseded' satisfies StopReason),
      this.#options.leaseSeconds * 1000,
    );
    logger.info({ job: id, kind: row.kind, attempt }, 'job started');
    const done = (async () => {
      try {
        const executor = executors[row.kind];
        if (!executor) throw new Error(`no executor for job kind ${row.kind} on this instance`);
        job.result = await executor(client, row.params, report, abort.signal);
        job.state = 'succeeded';
      } catch (error) {
        if (abort.signal.aborted) throw error;
        job.state = 'failed';
        job.error = jobErrorOf(error);
        this.#failures.set(id, error);
        setTimeout(() => this.#failures.delete(id), 60_000).unref();
      } finally {
        clearTimeout(lease);
        clearTimeout(pending);
        await writing;
      }
      const ours = await write('state = $3, progress = $4, result = $5, error = $6', [
        job.state,
        job.progress,
        job.result === undefined ? null : JSON.stringify(job.result),
        job.error ?? null,
      ]);
      // Taken over meanwhile: the other attempt's outcome is the job's.
      if (!ours) return;
      job.updatedAt = new Date().toISOString();
      this.emit('update', job);
      this.emit('settled', job);
      logger.info({ job: id, state: job.state, attempt }, 'job ended');
    })();
    this.#running.set(id, { abort, done });
    try {
      await done;
    } catch (error) {
      const reason = abort.signal.reason as StopReason | undefined;
      if (reason === 'shutdown') await write("state = 'queued'", []).catch(() => {});
      logger.info({ job: id, attempt, reason }, 'job handed back');
      throw error;
    } finally {
      this.#running.delete(id);
    }
  }

  /** pg-boss gave the job up: its attempts kept dying (or being handed back). */
  async #gaveUp(id: string): Promise<void> {
    const error = {
      code: 'AR_API_JOB_CANCELLED',
      message: `Given up after ${ATTEMPTS} attempts: the instances running it died or shut down each time. Start it again; blobs already copied are skipped.`,
      kind: 'CANCELLED',
    };
    await this.#pool.query(
      `UPDATE ${SCHEMA}.jobs SET state = 'cancelled', error = $2, updated_at = now()
       WHERE id = $1 AND state IN ('queued', 'running')`,
      [id, error],
    );
  }

  async #prune(): Promise<void> {
    await this.#pool.query(
      `DELETE FROM ${SCHEMA}.jobs WHERE state NOT IN ('queued', 'running')
         AND updated_at < now() - make_interval(secs => $1)`,
      [this.#options.retentionSeconds],
    );
  }
}
