import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobStore } from './jobs/index.js';

/**
 * Prometheus metrics of one instance, in a registry of its own (never prom-client's global one,
 * so two services in one process, as in tests, do not mix their counts).
 */
export function createMetrics() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'ar_api_requests_total',
    help: 'HTTP requests by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ar_api_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const upstream = new Counter({
    name: 'ar_api_registry_calls_total',
    help: 'Calls to Artifact Registry and registries (through @ar/core), by operation and outcome (ok or an error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const jobsStarted = new Counter({
    name: 'ar_api_jobs_started_total',
    help: 'Jobs started, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const jobsEnded = new Counter({
    name: 'ar_api_jobs_ended_total',
    help: 'Jobs ended, by kind and final state.',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
  });

  return {
    registry,
    observeRequest(route: string, method: string, status: number, seconds: number) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    /** Wraps one call that reaches a registry or the AR API, counting it by outcome. */
    async upstream<T>(operation: string, call: () => Promise<T>): Promise<T> {
      try {
        const result = await call();
        upstream.inc({ operation, outcome: 'ok' });
        return result;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        upstream.inc({ operation, outcome: typeof code === 'string' ? code : 'error' });
        throw error;
      }
    },
    jobStarted(kind: string) {
      jobsStarted.inc({ kind });
    },
    /**
     * Job gauges read from the store when scraped (with Postgres: every replica's jobs, so
     * `queued` is the queue depth), and outcomes of the jobs this instance ran.
     */
    observeJobs(jobs: JobStore) {
      new Gauge({
        name: 'ar_api_jobs',
        help: 'Jobs by state: those of this instance (memory store) or of every replica (Postgres store); queued is the queue depth.',
        labelNames: ['state'] as const,
        registers: [registry],
        async collect() {
          for (const [state, count] of Object.entries(await jobs.counts())) this.set({ state }, count);
        },
      });
      new Gauge({
        name: 'ar_api_jobs_running_here',
        help: 'Jobs running on this instance.',
        registers: [registry],
        collect() {
          this.set(jobs.runningHere);
        },
      });
      jobs.on('settled', (job: { kind: string; state: string }) =>
        jobsEnded.inc({ kind: job.kind, state: job.state }),
      );
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
