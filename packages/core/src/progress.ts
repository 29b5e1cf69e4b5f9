import type { EngineProgressEvent, LayerPhase } from '@ar/docker';
import type { BlobProgress, ImageProgress, ProgressEvent as RegistryProgressEvent } from '@ar/registry';

/** Where one layer stands, on every transfer path. */
export type LayerState = BlobProgress['state'];

/**
 * The one progress vocabulary of every transfer: registry copy, push and pull, and the engine's
 * push and pull (either path). A reporter written against it renders them all.
 */
export type TransferProgress =
  /**
   * One layer (blob) moved. `id` is its digest (`sha256:…`) when the registry client moves it,
   * or the short ID the engine shows (`a1b2c3d4e5f6`) when the engine does. `size` is unknown
   * while the engine has not said. `bytes` restarts at 0 when a transfer restarts.
   */
  | {
      readonly type: 'layer';
      readonly id: string;
      readonly state: LayerState;
      readonly bytes: number;
      readonly size: number | undefined;
    }
  /** Totals over one image's blobs (registry paths only), as `@ar/registry` reports them. */
  | ImageProgress
  /** A line about the whole transfer ("Exporting … from the engine", the engine's "Digest: …"). */
  | { readonly type: 'status'; readonly message: string };

export type TransferProgressListener = (event: TransferProgress) => void;

/** The registry client's events in the shared vocabulary. */
export function fromRegistryProgress(
  listener: TransferProgressListener,
): (event: RegistryProgressEvent) => void {
  return (event) => {
    if (event.type === 'image') {
      const { type, digest, bytes, totalBytes, blobsDone, blobsTotal, state } = event;
      listener({ type, digest, bytes, totalBytes, blobsDone, blobsTotal, state });
      return;
    }
    listener({ type: 'layer', id: event.digest, state: event.state, bytes: event.bytes, size: event.size });
  };
}

/** The engine's words for a layer's step, in the shared states (a layer seen but idle: `waiting`). */
const ENGINE_STATES: Record<Exclude<LayerPhase, 'other'>, LayerState> = {
  preparing: 'waiting',
  waiting: 'waiting',
  queued: 'waiting',
  pushing: 'transferring',
  downloading: 'transferring',
  verifying: 'transferring',
  downloaded: 'transferring',
  extracting: 'transferring',
  pushed: 'done',
  pulled: 'done',
  exists: 'exists',
  mounted: 'mounted',
  retrying: 'failed',
};

/** The engine's JSON-stream events in the shared vocabulary. */
export function fromEngineProgress(listener: TransferProgressListener): (event: EngineProgressEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'layer':
        if (event.phase === 'other') return;
        listener({
          type: 'layer',
          id: event.id,
          state: ENGINE_STATES[event.phase],
          // A finished layer is whole even when the engine's last line gave no byte count.
          bytes: event.current ?? (ENGINE_STATES[event.phase] === 'done' ? (event.total ?? 0) : 0),
          size: event.total,
        });
        return;
      case 'status':
        listener({ type: 'status', message: event.status });
        return;
      case 'output':
        listener({ type: 'status', message: event.text });
        return;
      case 'pushed':
        return; // the same digest comes as a status line ("TAG: digest: sha256:… size: N")
    }
  };
}
