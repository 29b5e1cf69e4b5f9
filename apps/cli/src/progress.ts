import type { EngineProgressEvent } from '@ar/docker';
import type { ProgressEvent } from '@ar/registry';
import { createLogUpdate } from 'log-update';
import { type BlobView, blobLine, blobText, summaryLine, totals } from './progress-view.js';

/**
 * Progress of a push, pull or copy on stderr, from the blob events of the transfer (`type: 'blob'`
 * with `digest`, `size`, `bytes`, `state`; other event types are not drawn).
 *
 * On a terminal: a line per blob and a summary, redrawn in place at most ten times a second by
 * log-update, every line cut to the terminal's width when it is drawn (so no line wraps, and a
 * resize redraws at the new width). Otherwise (CI logs, pipes): one plain line per finished blob
 * and a summary line at the end, no control codes. `never` prints nothing.
 */
export function progressReporter(
  mode: 'auto' | 'always' | 'never',
  verb: string,
  stream: NodeJS.WriteStream = process.stderr,
) {
  const live = mode === 'always' || (mode === 'auto' && stream.isTTY === true);
  const blobs = new Map<string, BlobView>();
  let started: number | undefined;
  let frame: LiveFrame | undefined;
  let lastDraw = 0;

  const elapsed = () => (started === undefined ? 0 : Date.now() - started);
  const lines = (columns: number) => [
    ...[...blobs.values()].map((blob) => blobLine(blob, columns)),
    summaryLine(verb, totals(blobs.values()), elapsed(), columns),
  ];

  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    frame ??= liveFrame(stream, lines);
    frame.draw();
  };

  return {
    onProgress(event: ProgressEvent): void {
      if (mode === 'never' || event.type !== 'blob') return;
      if (event.state === 'transferring') started ??= Date.now();
      blobs.set(event.digest, {
        digest: event.digest,
        size: event.size,
        bytes: event.bytes,
        state: event.state,
      });
      if (live) draw(event.state !== 'transferring');
      else if (event.state !== 'waiting' && event.state !== 'transferring') {
        stream.write(`${verb}: ${blobText(blobs.get(event.digest)!)}\n`);
      }
    },
    finish(): void {
      if (mode === 'never' || blobs.size === 0) return;
      if (!live) {
        stream.write(`${summaryLine(verb, totals(blobs.values()), elapsed(), Number.POSITIVE_INFINITY)}\n`);
        return;
      }
      draw(true);
      frame?.done();
    },
  };
}

interface LiveFrame {
  draw(): void;
  /** Leaves the last frame on screen and stops following resizes. */
  done(): void;
}

/** Lines drawn over themselves, fitted to the width the terminal has at each draw. */
function liveFrame(stream: NodeJS.WriteStream, lines: (columns: number) => string[]): LiveFrame {
  const update = createLogUpdate(stream);
  // One column spare: a line exactly as wide as the terminal wraps in some terminals.
  const draw = () => update(lines(Math.max(20, (stream.columns || 80) - 1)).join('\n'));
  stream.on('resize', draw);
  return {
    draw,
    done() {
      stream.off('resize', draw);
      update.done();
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
