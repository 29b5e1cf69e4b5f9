import { describe, expect, it } from 'vitest';
import { progressTracker } from './progress.js';

const layer = (id: string, bytes: number, state: 'transferring' | 'done' | 'mounted' = 'transferring') =>
  ({ type: 'layer', id, state, bytes, size: 100 }) as const;

describe('progressTracker', () => {
  it('sums each blob once, by its latest event, whatever the order of images and restarts', () => {
    const track = progressTracker();
    expect(track({ type: 'status', message: 'listing' })).toBeUndefined();
    expect(track(layer('a', 40))).toEqual({
      bytes: 40,
      totalBytes: 100,
      blobsDone: 0,
      blobsTotal: 1,
      images: 0,
    });
    track(layer('b', 0, 'mounted'));
    expect(track(layer('a', 100, 'done'))).toEqual({
      bytes: 100,
      totalBytes: 200,
      blobsDone: 2,
      blobsTotal: 2,
      images: 0,
    });
    // A restarted transfer counts from 0 again and is no longer done; a shared blob counts once.
    track(layer('a', 10));
    track({
      type: 'image',
      digest: 'sha256:1',
      bytes: 0,
      totalBytes: 0,
      blobsDone: 0,
      blobsTotal: 0,
      state: 'done',
    });
    expect(
      track({
        type: 'image',
        digest: 'sha256:2',
        bytes: 0,
        totalBytes: 0,
        blobsDone: 0,
        blobsTotal: 0,
        state: 'done',
      }),
    ).toEqual({
      bytes: 10,
      totalBytes: 200,
      blobsDone: 1,
      blobsTotal: 2,
      images: 2,
    });
  });
});
