import type { ArClient } from '@ar/core';
import { describe, expect, it } from 'vitest';
import { MemoryJobStore } from './memory-store.js';
import type { Job, JobExecutor } from './types.js';

/** The executors here never touch the client: these tests are about the store's bookkeeping. */
const NO_CLIENT = {} as ArClient;

/** An executor whose runs end when the test says so, reporting one blob midway. */
function controlled() {
  const runs: Array<{ finish(result: unknown): void; fail(error: unknown): void; params: unknown }> = [];
  const executor: JobExecutor = (_client, params, report, signal) =>
    new Promise((resolve, reject) => {
      report({ type: 'blob', id: 'sha256:a', state: 'transferring', bytes: 5, size: 10 } as never);
      signal.addEventListener('abort', () => reject(signal.reason));
      runs.push({ finish: resolve, fail: reject, params });
    });
  return { executor, runs };
}

const settled = (store: MemoryJobStore, id: string) =>
  new Promise<Job>((resolve) => {
    const on = (job: Job) => {
      if (job.id !== id) return;
      store.off('settled', on);
      resolve(job);
    };
    store.on('settled', on);
  });

describe('MemoryJobStore', () => {
  it('gives a retry with the same Idempotency-Key the same job, per owner', async () => {
    const { executor, runs } = controlled();
    const store = new MemoryJobStore({ client: NO_CLIENT, executors: { copy: executor }, maxRunning: 4 });
    const first = await store.submit({ kind: 'copy', owner: 'a', params: { n: 1 }, idempotencyKey: 'k' });
    const retry = await store.submit({ kind: 'copy', owner: 'a', params: { n: 2 }, idempotencyKey: 'k' });
    const other = await store.submit({ kind: 'copy', owner: 'b', params: { n: 3 }, idempotencyKey: 'k' });
    expect(retry.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(runs.map((run) => run.params)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(await store.counts()).toMatchObject({ running: 2 });
    for (const run of runs) run.finish({ ok: true });
    await store.close({ mode: 'finish', graceMs: 1000 });
  });

  it('refuses work beyond maxRunning (no queue to lose), but not a retry of a running job', async () => {
    const { executor, runs } = controlled();
    const store = new MemoryJobStore({ client: NO_CLIENT, executors: { copy: executor }, maxRunning: 1 });
    const first = await store.submit({ kind: 'copy', owner: 'a', params: {}, idempotencyKey: 'k' });
    await expect(store.submit({ kind: 'copy', owner: 'a', params: {} })).rejects.toMatchObject({
      code: 'AR_API_JOBS_BUSY',
    });
    expect((await store.submit({ kind: 'copy', owner: 'a', params: {}, idempotencyKey: 'k' })).id).toBe(
      first.id,
    );
    runs[0]!.finish({ ok: true });
    await store.close({ mode: 'finish', graceMs: 1000 });
  });

  it('folds progress, keeps the result or the error, and shows a job to its owner only', async () => {
    const { executor, runs } = controlled();
    const store = new MemoryJobStore({ client: NO_CLIENT, executors: { copy: executor } });
    const good = await store.submit({ kind: 'copy', owner: 'a', params: {} });
    expect(good.progress).toMatchObject({ bytes: 5, totalBytes: 10, blobsTotal: 1, blobsDone: 0 });
    const bad = await store.submit({ kind: 'copy', owner: 'a', params: {} });
    const goodEnd = settled(store, good.id);
    const badEnd = settled(store, bad.id);
    runs[0]!.finish({ images: [] });
    runs[1]!.fail(Object.assign(new Error('no such image'), { code: 'AR_REGISTRY_MANIFEST_NOT_FOUND' }));
    expect(await goodEnd).toMatchObject({ state: 'succeeded', result: { images: [] } });
    expect(await badEnd).toMatchObject({
      state: 'failed',
      error: { code: 'AR_REGISTRY_MANIFEST_NOT_FOUND' },
    });
    expect(store.failureOf(bad)).toMatchObject({ message: 'no such image' });
    expect((await store.waitFor(good.id, 'a', 1000)).state).toBe('succeeded');
    await expect(store.get(good.id, 'b')).rejects.toMatchObject({ code: 'AR_API_JOB_NOT_FOUND' });
    await store.close({ mode: 'finish', graceMs: 1000 });
  });

  it('cancels what still runs on close(cancel) and refuses new work after', async () => {
    const { executor } = controlled();
    const store = new MemoryJobStore({ client: NO_CLIENT, executors: { copy: executor } });
    const job = await store.submit({ kind: 'copy', owner: 'a', params: {} });
    await store.close({ mode: 'cancel', graceMs: 1000 });
    expect((await store.get(job.id, 'a')).state).toBe('cancelled');
    await expect(store.submit({ kind: 'copy', owner: 'a', params: {} })).rejects.toMatchObject({
      code: 'AR_API_SHUTTING_DOWN',
    });
  });
});
