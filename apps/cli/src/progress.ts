import type { TransferProgress } from '@ar/core';

const MiB = 1024 * 1024;
const size = (bytes: number) =>
  bytes >= MiB * 1024 ? `${(bytes / MiB / 1024).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;

interface BlobLine {
  id: string;
  size: number;
  bytes: number;
  state: string;
}

/** A layer as the engine shows it: 12 hex digits of its digest (the engine's own IDs already are). */
const shortId = (id: string) => (id.startsWith('sha256:') ? id.slice(7, 19) : id);

/**
 * Progress of a push, pull or copy, through the registry or the engine, on stderr. On a terminal: a bar per blob and a total line with
 * bytes and rate, redrawn at most ten times a second. Otherwise (CI logs): one line per finished
 * blob. `never` prints nothing.
 */
export function progressReporter(
  mode: 'auto' | 'always' | 'never',
  verb: string,
  stream: NodeJS.WriteStream = process.stderr,
) {
  const live = mode === 'always' || (mode === 'auto' && stream.isTTY === true);
  const blobs = new Map<string, BlobLine>();
  const started = Date.now();
  let drawn = 0;
  let lastDraw = 0;

  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const lines = [...blobs.values()].map((blob) => {
      const fraction = blob.size ? Math.min(1, blob.bytes / blob.size) : 1;
      const bar = '#'.repeat(Math.round(fraction * 20)).padEnd(20, '.');
      return `  ${shortId(blob.id)} [${bar}] ${size(blob.bytes).padStart(10)} / ${size(blob.size).padEnd(10)} ${blob.state}`;
    });
    const total = [...blobs.values()].reduce((sum, blob) => sum + blob.size, 0);
    const done = [...blobs.values()].reduce((sum, blob) => sum + Math.min(blob.bytes, blob.size), 0);
    const rate = done / Math.max(0.001, (now - started) / 1000);
    lines.push(`${verb}: ${size(done)} / ${size(total)}, ${size(rate)}/s`);
    stream.write(`${drawn ? `\u001b[${drawn}A` : ''}${lines.map((line) => `\u001b[2K${line}`).join('\n')}\n`);
    drawn = lines.length;
  };

  return {
    onProgress(event: TransferProgress): void {
      if (mode === 'never') return;
      if (event.type === 'status') {
        // Above the bars, which are redrawn below it.
        stream.write(`${event.message}\n`);
        drawn = 0;
        return;
      }
      if (event.type !== 'layer') return;
      const blob = { id: event.id, size: event.size ?? 0, bytes: event.bytes, state: event.state };
      blobs.set(event.id, blob);
      if (live) draw(event.state !== 'transferring');
      else if (['done', 'exists', 'mounted', 'failed'].includes(event.state)) {
        stream.write(`${verb}: ${event.id.slice(0, 19)} ${size(blob.size)} ${event.state}\n`);
      }
    },
    finish(): void {
      if (live && blobs.size) draw(true);
    },
  };
}
