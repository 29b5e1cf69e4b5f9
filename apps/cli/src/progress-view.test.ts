import { describe, expect, it } from 'vitest';
import { type BlobView, blobLine, blobText, summaryLine, totals } from './progress-view.js';

const MiB = 1024 * 1024;
const blob = (state: BlobView['state'], bytes: number, size = 4 * MiB, hex = 'a'): BlobView => ({
  digest: `sha256:${hex.repeat(64)}`,
  size,
  bytes,
  state,
});

describe('progress lines', () => {
  it('fit every width from 20 to 200 columns, a bar where there is room', () => {
    const states: BlobView[] = [
      blob('waiting', 0),
      blob('transferring', MiB),
      blob('done', 4 * MiB),
      blob('exists', 4 * MiB),
      blob('mounted', 4 * MiB),
      blob('failed', MiB),
      blob('transferring', 700 * 1024 * MiB, 1024 * 1024 * MiB),
    ];
    for (let columns = 20; columns <= 200; columns++) {
      for (const state of states) expect(blobLine(state, columns).length).toBeLessThanOrEqual(columns);
      const summary = summaryLine('push', totals(states), 1000, columns);
      expect(summary.length).toBeLessThanOrEqual(columns);
    }
    expect(blobLine(blob('transferring', MiB), 80)).toBe(
      '  aaaaaaaaaaaa [#####...............] 1.0 MiB / 4.0 MiB 25%',
    );
    expect(blobLine(blob('transferring', MiB), 40)).toBe('  aaaaaaaaaaaa 1.0 MiB / 4.0 MiB 25%');
    expect(blobLine(blob('transferring', MiB), 24)).toBe('  aaaaaaaaaaaa 25%');
  });

  it('report blobs the registry already had as "already there", and no rate when nothing moved', () => {
    const all = [blob('exists', 300 * MiB, 300 * MiB, 'a'), blob('mounted', MiB, MiB, 'b')];
    expect(blobText(all[0]!)).toBe('aaaaaaaaaaaa 300.0 MiB already there');
    expect(summaryLine('push', totals(all), 310, 120)).toBe('push: 2/2 blobs, 1 mounted, 1 already there');
  });

  it('count only bytes that moved in the rate', () => {
    const mixed = [blob('exists', 900 * MiB, 900 * MiB, 'a'), blob('done', 2 * MiB, 2 * MiB, 'b')];
    expect(summaryLine('push', totals(mixed), 1000, 120)).toBe(
      'push: 2/2 blobs, 2.0 MiB / 2.0 MiB, 2.0 MiB/s, 1 already there',
    );
  });
});
