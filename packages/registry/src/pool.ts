import { abortedError } from './errors.js';

/**
 * Runs `worker` over `items`, at most `concurrency` at once. On the first failure the shared
 * signal aborts the others and the pool waits for every one of them to settle before rejecting:
 * a sink's `abort()` must not run while a transfer still writes (p-map rejects at once and
 * leaves work running, which is why this is not p-map).
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) throw abortedError(signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let failed = false;
  let failure: unknown;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await worker(item, controller.signal);
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
          controller.abort(error);
        }
      }
    }
  });
  try {
    await Promise.all(lanes);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failed) throw signal?.aborted ? abortedError(signal) : failure;
}
