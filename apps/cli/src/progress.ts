import type { EngineProgressEvent } from '@ar/docker';
import type { ProgressEvent } from '@ar/registry';

const MiB = 1024 * 1024;
const size = (bytes: number) =>
  bytes >= MiB * 1024 ? `${(bytes / MiB / 1024).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;

interface BlobLine {
  digest: string;
  size: number;
  bytes: number;
  state: string;
}

/**
 * Progress of a push, pull or copy on stderr. On a terminal: a bar per blob and a total line with
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
      return `  ${blob.digest.slice(7, 19)} [${bar}] ${size(blob.bytes).padStart(10)} / ${size(blob.size).padEnd(10)} ${blob.state}`;
    });
    const total = [...blobs.values()].reduce((sum, blob) => sum + blob.size, 0);
    const done = [...blobs.values()].reduce((sum, blob) => sum + Math.min(blob.bytes, blob.size), 0);
    const rate = done / Math.max(0.001, (now - started) / 1000);
    lines.push(`${verb}: ${size(done)} / ${size(total)}, ${size(rate)}/s`);
    stream.write(`${drawn ? `\u001b[${drawn}A` : ''}${lines.map((line) => `\u001b[2K${line}`).join('\n')}\n`);
    drawn = lines.length;
  };

  return {
    onProgress(event: ProgressEvent): void {
      if (mode === 'never' || event.type !== 'blob') return;
      const blob = { digest: event.digest, size: event.size, bytes: event.bytes, state: event.state };
      blobs.set(event.digest, blob);
      if (live) draw(event.state !== 'transferring');
      else if (['done', 'exists', 'mounted', 'failed'].includes(event.state)) {
        stream.write(`${verb}: ${event.digest.slice(0, 19)} ${size(event.size)} ${event.state}\n`);
      }
    },
    finish(): void {
      if (live && blobs.size) draw(true);
    },
  };
}

/** The engine's own progress (pushes and pulls through dockerd or Podman): a line per layer step. */
export function engineProgressReporter(
  mode: 'auto' | 'always' | 'never',
  stream: NodeJS.WriteStream = process.stderr,
) {
  const phases = new Map<string, string>();
  return (event: EngineProgressEvent): void => {
    if (mode === 'never') return;
    if (event.type === 'layer') {
      if (phases.get(event.id) === event.phase) return;
      phases.set(event.id, event.phase);
      stream.write(`  ${event.id}: ${event.status}\n`);
    } else if (event.type === 'status') {
      stream.write(`${event.status}\n`);
    }
  };
}
