import { setTimeout as sleep } from 'node:timers/promises';
import { isArError } from '@ar/errors';
import { abortedError } from '../errors.js';
import { type RequestLogger, redactUrl } from './log.js';
import {
  discard,
  header,
  isReplayable,
  type Layer,
  type RegistryRequest,
  type RegistryResponse,
} from './types.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** First backoff; doubled each attempt, with full jitter. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts once this much time has passed since the first attempt. */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  minDelayMs: 200,
  maxDelayMs: 10_000,
  maxElapsedMs: 120_000,
};

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Runs `attempt` until it succeeds, it fails with a non-retryable error, or the policy's attempts
 * or time run out. Used by the retry layer and by operations that must restart as a whole (an
 * upload restarts from a new POST, a pull resumes with Range).
 */
export class Backoff {
  readonly #started = Date.now();
  #attempt = 0;

  constructor(
    readonly policy: RetryPolicy,
    readonly random: () => number = Math.random,
  ) {}

  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt, or undefined when no attempt is left. */
  next(serverDelayMs?: number): number | undefined {
    if (this.#attempt >= this.policy.retries) return undefined;
    const exponential = Math.min(this.policy.maxDelayMs, this.policy.minDelayMs * 2 ** this.#attempt);
    // Full jitter spreads clients that failed together; a server's Retry-After is a floor, not a hint.
    const delay = Math.max(serverDelayMs ?? 0, this.random() * exponential);
    if (Date.now() - this.#started + delay > this.policy.maxElapsedMs) return undefined;
    this.#attempt++;
    return delay;
  }
}

export async function backoffSleep(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(delayMs, undefined, { signal });
  } catch {
    throw abortedError(signal);
  }
}

export function retryLayer(policy: RetryPolicy, log?: RequestLogger): Layer {
  return (next) => async (request) => {
    if (!canRetry(request)) return next(request);
    const backoff = new Backoff(policy);
    for (;;) {
      let response: RegistryResponse;
      try {
        response = await next(request);
      } catch (error) {
        if (!isArError(error) || !error.retryable) throw error;
        const seconds = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
        const delay = backoff.next(seconds === undefined ? undefined : seconds * 1000);
        if (delay === undefined) throw error;
        logRetry(log, request, backoff.attempt, delay, error.code);
        await backoffSleep(delay, request.signal);
        continue;
      }
      if (!isRetryableStatus(response.status)) return response;
      const delay = backoff.next(retryAfterMs(header(response, 'retry-after')));
      // The last answer goes up as it is: the caller turns it into a typed error with its details.
      if (delay === undefined) return response;
      await discard(response);
      logRetry(log, request, backoff.attempt, delay, `HTTP ${response.status}`);
      await backoffSleep(delay, request.signal);
    }
  };
}

function canRetry(request: RegistryRequest): boolean {
  if (request.retry === false) return false;
  return (IDEMPOTENT_METHODS.has(request.method) || request.idempotent === true) && isReplayable(request);
}

function logRetry(
  log: RequestLogger | undefined,
  request: RegistryRequest,
  attempt: number,
  delayMs: number,
  reason: string,
): void {
  log?.({ type: 'retry', method: request.method, url: redactUrl(request.url), attempt, delayMs, reason });
}
