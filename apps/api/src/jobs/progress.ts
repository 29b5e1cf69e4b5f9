import type { TransferProgress } from '@ar/core';
import type { Job, JobProgress } from './types.js';

export const NO_PROGRESS: JobProgress = { bytes: 0, totalBytes: 0, blobsDone: 0, blobsTotal: 0, images: 0 };

/**
 * Folds @ar/core's transfer events into a job's totals. Blob events carry the bytes as they move
 * (image events come only as each blob ends); images of one copy share blobs, counted once. The
 * totals move by each event's difference: a tree copy's thousands of blobs cost nothing per event.
 */
export function progressTracker(): (event: TransferProgress) => JobProgress | undefined {
  const blobs = new Map<string, { size: number; bytes: number; done: boolean }>();
  const images = new Set<string>();
  const totals = { ...NO_PROGRESS };
  return (event) => {
    if (event.type === 'status') return undefined;
    if (event.type === 'image') images.add(event.digest);
    else {
      const before = blobs.get(event.id);
      const now = {
        size: event.size ?? 0,
        bytes: event.bytes,
        done: event.state === 'done' || event.state === 'exists' || event.state === 'mounted',
      };
      blobs.set(event.id, now);
      totals.bytes += now.bytes - (before?.bytes ?? 0);
      totals.totalBytes += now.size - (before?.size ?? 0);
      totals.blobsDone += Number(now.done) - Number(before?.done ?? false);
    }
    return { ...totals, blobsTotal: blobs.size, images: images.size };
  };
}

/**
 * A job's `report` (the executor's third argument): folds the events into `job.progress` and
 * calls `changed` each time it moves. Both stores use it; what `changed` does is theirs.
 */
export function jobProgressReporter(job: Job, changed: () => void): (event: TransferProgress) => void {
  const track = progressTracker();
  return (event) => {
    const progress = track(event);
    if (!progress) return;
    job.progress = progress;
    job.updatedAt = new Date().toISOString();
    changed();
  };
}

/** The `{ code, message }` a job shows for an error (only AR codes; anything else is a bug). */
export function jobErrorOf(error: unknown): { code: string; message: string; kind?: string } {
  const { code, message, kind } = error as { code?: unknown; message?: unknown; kind?: unknown };
  const arCode = typeof code === 'string' && code.startsWith('AR_');
  return {
    code: arCode ? code : 'AR_API_INTERNAL',
    message: typeof message === 'string' ? message : 'The job failed.',
    ...(arCode && typeof kind === 'string' ? { kind } : {}),
  };
}
