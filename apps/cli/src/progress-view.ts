/**
 * What a transfer's progress looks like, as plain text lines that fit a given width: one line per
 * blob and a summary. Pure, so the layout at any width is decided here and drawn by progress.ts.
 */
import type { LayerState } from '@ar/core';

/** A layer's state, in `@ar/core`'s one progress vocabulary. */
export type BlobState = LayerState;

export interface BlobView {
  digest: string;
  size: number;
  bytes: number;
  state: BlobState;
}

const MiB = 1024 * 1024;

export function formatSize(bytes: number): string {
  return bytes >= MiB * 1024 ? `${(bytes / MiB / 1024).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Blobs the registry already had (or mounted from another repository): nothing was sent for them. */
const SKIPPED: ReadonlySet<BlobState> = new Set(['exists', 'mounted']);

const STATE_WORDS: Record<BlobState, string> = {
  waiting: 'waiting',
  transferring: '',
  exists: 'already there',
  mounted: 'mounted',
  done: 'done',
  failed: 'failed',
};

/** The words for one blob's state: a percentage while it moves. */
function stateText(blob: BlobView): string {
  if (blob.state !== 'transferring') return STATE_WORDS[blob.state];
  return `${Math.floor((100 * Math.min(blob.bytes, blob.size)) / Math.max(1, blob.size))}%`;
}

const BAR_MAX = 20;
const BAR_MIN = 5;

/** `7b5a58edbbf4 1.2 MiB / 4.0 MiB 30%`: a blob's short digest, sizes and state; a log line's body. */
export function blobText(blob: BlobView): string {
  const sizes = SKIPPED.has(blob.state)
    ? formatSize(blob.size)
    : `${formatSize(Math.min(blob.bytes, blob.size))} / ${formatSize(blob.size)}`;
  return `${shortDigest(blob)} ${sizes} ${stateText(blob)}`;
}

const shortDigest = (blob: BlobView) => blob.digest.replace(/^sha256:/, '').slice(0, 12);

/**
 * `  7b5a58edbbf4 [#####.....] 1.2 MiB / 4.0 MiB 30%`, narrowed to `columns`: the bar shrinks,
 * then goes; then the sizes; a line never wraps (a wrapped line is what stacked frames up).
 */
export function blobLine(blob: BlobView, columns: number): string {
  const text = blobText(blob);
  const room = columns - text.length - 5; // "  " before, " [" + "]" around the bar
  if (room < BAR_MIN) {
    const plain = `  ${text}`;
    return cutToWidth(plain.length <= columns ? plain : `  ${shortDigest(blob)} ${stateText(blob)}`, columns);
  }
  const width = Math.min(BAR_MAX, room);
  const moved = SKIPPED.has(blob.state) || blob.state === 'done' ? 1 : blob.bytes / Math.max(1, blob.size);
  const filled = Math.round(Math.min(1, moved) * width);
  const id = shortDigest(blob);
  return `  ${id} [${'#'.repeat(filled).padEnd(width, '.')}]${text.slice(id.length)}`;
}

export interface Totals {
  blobs: number;
  finished: number;
  /** Bytes actually sent or received: skipped blobs count in `skipped`, not here. */
  moved: number;
  /** Bytes of the blobs that move. */
  toMove: number;
  /** Blobs the destination had already, and blobs it mounted from another repository. */
  existing: number;
  mounted: number;
}

export function totals(blobs: Iterable<BlobView>): Totals {
  const sum: Totals = { blobs: 0, finished: 0, moved: 0, toMove: 0, existing: 0, mounted: 0 };
  for (const blob of blobs) {
    sum.blobs++;
    if (SKIPPED.has(blob.state)) {
      if (blob.state === 'mounted') sum.mounted++;
      else sum.existing++;
      sum.finished++;
      continue;
    }
    if (blob.state === 'done') sum.finished++;
    sum.moved += Math.min(blob.bytes, blob.size);
    sum.toMove += blob.size;
  }
  return sum;
}

/**
 * `push: 3/4 blobs, 12.0 MiB / 40.0 MiB, 8.1 MiB/s, 1 already there`, dropping the least needed
 * parts until it fits. The rate counts only bytes that moved, so a re-push of blobs the registry
 * has reports "already there", not a throughput.
 */
export function summaryLine(verb: string, sum: Totals, elapsedMs: number, columns: number): string {
  const head = `${verb}: ${sum.finished}/${sum.blobs} blobs`;
  const moving = sum.toMove > 0;
  const sizes = moving ? `${formatSize(sum.moved)} / ${formatSize(sum.toMove)}` : undefined;
  const rate =
    moving && elapsedMs > 0 && sum.moved > 0 ? `${formatSize((sum.moved * 1000) / elapsedMs)}/s` : undefined;
  const skipped =
    [sum.mounted > 0 && `${sum.mounted} mounted`, sum.existing > 0 && `${sum.existing} already there`]
      .filter(Boolean)
      .join(', ') || undefined;
  const candidates = [
    [head, sizes, rate, skipped],
    [head, moving ? formatSize(sum.moved) : undefined, rate, skipped],
    [head, rate, skipped],
    [head, skipped],
  ].map((parts) => parts.filter(Boolean).join(', '));
  return candidates.find((line) => line.length <= columns) ?? cutToWidth(head, columns);
}

/** Cut to `columns` (all of it ASCII, so length is width), marking the cut. */
export function cutToWidth(line: string, columns: number): string {
  if (line.length <= columns) return line;
  return columns <= 1 ? line.slice(0, Math.max(0, columns)) : `${line.slice(0, columns - 1)}~`;
}
