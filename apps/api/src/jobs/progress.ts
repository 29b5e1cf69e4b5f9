import type { TransferProgress } from '@ar/core';
import type { JobProgress } from './types.js';

export const NO_PROGRESS: JobProgress = { bytes: 0, totalBytes: 0, blobsDone: 0, blobsTotal: 0, images: 0 };

/**
 * Folds @ar/core's transfer events into a job's totals. Blob events carry the bytes as they move
 * (image events come only as each blob ends); images of one copy share blobs, counted once.
 */
export function progressTracker(): (event: TransferProgress) => JobProgress | undefined {
  const blobs = new Map<string, { size: number; bytes: number; done: boolean }>();
  const images = new Set<string>();
  return (event) => {
    if (event.type === 'status') return undefined;
    if (event.type === 'image') images.add(event.digest);
    else
      blobs.set(event.id, {
        size: event.size ?? 0,
        bytes: event.bytes,
        done: event.state === 'done' || event.state === 'exists' || event.state === 'mounted',
      });
    const progress = { ...NO_PROGRESS, blobsTotal: blobs.size, images: images.size };
    for (const blob of blobs.values()) {
      progress.bytes += blob.bytes;
      progress.totalBytes += blob.size;
      if (blob.done) progress.blobsDone++;
    }
    return progress;
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
