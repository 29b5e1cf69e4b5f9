import type { TransferProgress } from '@ar/core';
import { type BlobView, blobLine, blobText, summaryLine, totals } from './progress-view.js';

/**
 * Progress of a push, pull or copy, through the registry or the engine, on stderr: `@ar/core`'s
 * one vocabulary (`layer` events by digest or engine ID, `status` lines; `image` totals are not
 * drawn, the summary sums the layers).
 *
 * On a terminal: a line per layer and a summary, redrawn in place at most ten times a second by
 * log-update, every line cut to the terminal's width when it is drawn (so no line wraps, and a
 * resize redraws at the new width); status lines print above the frame. Otherwise (CI logs,
 * pipes): one plain line per finished layer, the status lines, and a summary line at the end, no
 * control codes. `never` prints nothing. log-update is loaded for a terminal only: its module
 * graph costs a process about as much start-up time as the rest of `gar copy`'s.
 */
export async function progressReporter(
  mode: 'auto' | 'always' | 'never',
  verb: string,
  stream: NodeJS.WriteStream = process.stderr,
) {
  const live = mode === 'always' || (mode === 'auto' && stream.isTTY === true);
  const createLogUpdate = live ? (await import('log-update')).createLogUpdate : undefined;
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
    if (!createLogUpdate) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    frame ??= liveFrame(createLogUpdate(stream), stream, lines);
    frame.draw();
  };

  return {
    onProgress(event: TransferProgress): void {
      if (mode === 'never') return;
      if (event.type === 'status') {
        if (frame) frame.print(event.message);
        else stream.write(`${event.message}\n`);
        return;
      }
      if (event.type !== 'layer') return;
      if (event.state === 'transferring') started ??= Date.now();
      const blob = { digest: event.id, size: event.size ?? 0, bytes: event.bytes, state: event.state };
      blobs.set(event.id, blob);
      if (live) draw(event.state !== 'transferring');
      else if (event.state !== 'waiting' && event.state !== 'transferring') {
        stream.write(`${verb}: ${blobText(blob)}\n`);
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

type LogUpdate = ReturnType<typeof import('log-update').createLogUpdate>;

interface LiveFrame {
  draw(): void;
  /** A line above the frame, which is then drawn again below it. */
  print(line: string): void;
  /** Leaves the last frame on screen and stops following resizes. */
  done(): void;
}

/** Lines drawn over themselves, fitted to the width the terminal has at each draw. */
function liveFrame(
  update: LogUpdate,
  stream: NodeJS.WriteStream,
  lines: (columns: number) => string[],
): LiveFrame {
  // One column spare: a line exactly as wide as the terminal wraps in some terminals.
  const draw = () => update(lines(Math.max(20, (stream.columns || 80) - 1)).join('\n'));
  stream.on('resize', draw);
  return {
    draw,
    print(line) {
      update.clear();
      stream.write(`${line}\n`);
      draw();
    },
    done() {
      stream.off('resize', draw);
      update.done();
    },
  };
}
