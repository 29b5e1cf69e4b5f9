import type { ArResolvedConfig } from '@ar/config';
import type { ArClient } from '@ar/core';
import type { Logger } from 'pino';
import { MemoryJobStore } from './memory-store.js';
import type { JobExecutor, JobStore } from './types.js';

export interface JobStoreOptions {
  client: ArClient;
  executors: Readonly<Record<string, JobExecutor>>;
  logger: Logger;
  /** Overrides of `api.jobs` (tests). */
  maxRunning?: number;
  retainMs?: number;
  progressIntervalMs?: number;
}

/** The store `api.jobs.store` names: `memory` (the default) or a Postgres URL. */
export async function openJobStore(config: ArResolvedConfig, options: JobStoreOptions): Promise<JobStore> {
  const { store, leaseSeconds, retentionSeconds, progressIntervalMs } = config.api.jobs;
  const maxRunning = options.maxRunning ?? config.api.jobs.maxRunning;
  const retainMs = options.retainMs ?? retentionSeconds * 1000;
  if (store === 'memory')
    return new MemoryJobStore({ client: options.client, executors: options.executors, maxRunning, retainMs });
  // Loaded only when named: pg and pg-boss are not needed by the embedded default.
  const { PostgresJobStore } = await import('./postgres-store.js');
  return PostgresJobStore.open({
    url: store,
    client: options.client,
    executors: options.executors,
    logger: options.logger,
    maxRunning,
    leaseSeconds,
    retentionSeconds: Math.max(1, Math.round(retainMs / 1000)),
    progressIntervalMs: options.progressIntervalMs ?? progressIntervalMs,
  });
}

export type { Job, JobCounts, JobExecutor, JobProgress, JobState, JobStore, JobSubmission } from './types.js';
