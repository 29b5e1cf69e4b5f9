import type { ArClient } from '@ar/core';
import type { JobStore } from '../jobs/index.js';
import type { Metrics } from '../metrics.js';

/** What the route plugins share: one client, one job store, one metrics registry per service. */
export interface RouteContext {
  client: ArClient;
  jobs: JobStore;
  metrics: Metrics;
  /** `api.allowedHosts` as a predicate: the only registries a route may contact. */
  allowed: (host: string) => boolean;
  allowedHosts: readonly string[];
  /** How long `POST /v1/images:copy` waits for its job before answering 202. */
  copyWaitMs: number;
  readinessTimeoutMs: number;
}

/** Every /v1 operation needs the bearer credential the OpenAPI document declares. */
export const security = [{ bearer: [] }];
