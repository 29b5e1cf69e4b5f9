import type { Readable } from 'node:stream';
import { abortedError, classifyEngineFailure, type EngineOperation } from './engine-errors.js';
import { DockerError } from './errors.js';
import { JsonObjectSplitter } from './json-stream.js';

/** Where one layer stands, from the engine's status words (dockerd and Podman). */
export type LayerPhase =
  | 'preparing'
  | 'waiting'
  | 'pushing'
  | 'pushed'
  | 'exists'
  | 'mounted'
  | 'queued'
  | 'downloading'
  | 'verifying'
  | 'downloaded'
  | 'extracting'
  | 'pulled'
  | 'retrying'
  | 'other';

/** One event of an engine operation's progress, typed from its JSON stream. */
export type EngineProgressEvent =
  /** A layer moved: `current`/`total` bytes when the engine says. */
  | {
      readonly type: 'layer';
      readonly id: string;
      readonly phase: LayerPhase;
      readonly status: string;
      readonly current?: number;
      readonly total?: number;
    }
  /** A line about the whole operation ("The push refers to repository …", "Digest: …"). */
  | { readonly type: 'status'; readonly status: string }
  /** The engine's final word on a push: the manifest it wrote. */
  | { readonly type: 'pushed'; readonly tag: string; readonly digest: string; readonly size?: number }
  /** Free text (`docker load` output: "Loaded image: app:1"). */
  | { readonly type: 'output'; readonly text: string };

export type ProgressListener = (event: EngineProgressEvent) => void;

/** What an operation's stream said, once it ended without an error. */
export interface ProgressSummary {
  /** The manifest digest: a push's `aux.Digest`, or a pull's "Digest: sha256:…" line. */
  readonly digest: string | undefined;
  /** A push's size of the manifest, from `aux.Size`. */
  readonly size: number | undefined;
  /** Images a load named ("Loaded image: NAME" / "Loaded image ID: sha256:…"). */
  readonly loaded: readonly string[];
  /** Every whole-operation status line, in order. */
  readonly statuses: readonly string[];
}

interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number; ID?: string };
  stream?: string;
  message?: string;
}

const PHASES: [RegExp, LayerPhase][] = [
  [/^Preparing/i, 'preparing'],
  [/^Waiting/i, 'waiting'],
  [/^Pushing/i, 'pushing'],
  [/^Pushed/i, 'pushed'],
  [/^(Layer )?already exists/i, 'exists'],
  [/^Mounted from/i, 'mounted'],
  [/^Pulling fs layer/i, 'queued'],
  [/^Downloading/i, 'downloading'],
  [/^Verifying Checksum/i, 'verifying'],
  [/^Download complete/i, 'downloaded'],
  [/^Extracting/i, 'extracting'],
  [/^Pull complete/i, 'pulled'],
  [/^Retrying in/i, 'retrying'],
];

export function layerPhase(status: string): LayerPhase {
  for (const [pattern, phase] of PHASES) if (pattern.test(status)) return phase;
  return 'other';
}

// dockerd ends a pull with "Digest: sha256:…"; both dockerd and Podman end a push with
// "TAG: digest: sha256:… size: N" (Podman sends no `aux`, so this line is its only word).
const DIGEST_LINE = /(?:^|: )[Dd]igest: (sha256:[a-f0-9]{64})/;
const LOADED = /^Loaded image(?: ID)?: (.+?)\s*$/;

/**
 * Turns one JSON message into an event, or throws the typed error an `errorDetail` stands for:
 * the engine reports a failed push or pull inside a 200 response, so an error here must never
 * read as success.
 */
export function interpretMessage(
  message: JsonMessage,
  operation: EngineOperation,
  subject: string,
): EngineProgressEvent[] {
  if (message.errorDetail !== undefined || message.error !== undefined) {
    const text = message.errorDetail?.message ?? message.error ?? 'unknown error';
    throw classifyEngineFailure(operation, subject, text);
  }
  const events: EngineProgressEvent[] = [];
  if (message.aux?.Digest !== undefined)
    events.push({
      type: 'pushed',
      tag: message.aux.Tag ?? '',
      digest: message.aux.Digest,
      ...(message.aux.Size !== undefined ? { size: message.aux.Size } : {}),
    });
  if (typeof message.stream === 'string') {
    for (const line of message.stream.split('\n'))
      if (line.trim() !== '') events.push({ type: 'output', text: line });
  }
  if (typeof message.status === 'string') {
    // Layer lines carry a short layer id; whole-operation lines carry none, or the tag/ref as id.
    const phase = layerPhase(message.status);
    if (message.id !== undefined && phase !== 'other') {
      const { current, total } = message.progressDetail ?? {};
      events.push({
        type: 'layer',
        id: message.id,
        phase,
        status: message.status,
        ...(typeof current === 'number' ? { current } : {}),
        ...(typeof total === 'number' && total > 0 ? { total } : {}),
      });
    } else {
      events.push({
        type: 'status',
        status: message.id ? `${message.id}: ${message.status}` : message.status,
      });
    }
  }
  return events;
}

/**
 * Reads an engine operation's JSON stream to its end: typed events to `onProgress`, a typed error
 * for an `errorDetail`, a cut stream, or the caller's abort. Resolves only when the engine
 * finished the operation without reporting an error.
 */
export async function followProgress(
  stream: Readable,
  options: {
    operation: EngineOperation;
    subject: string;
    onProgress?: ProgressListener | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<ProgressSummary> {
  const { operation, subject, onProgress, signal } = options;
  const splitter = new JsonObjectSplitter();
  let digest: string | undefined;
  let size: number | undefined;
  const loaded: string[] = [];
  const statuses: string[] = [];
  const onAbort = () => stream.destroy(abortedError(operation, subject));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    stream.setEncoding('utf8');
    for await (const chunk of stream) {
      for (const text of splitter.push(chunk as string)) {
        // No events after an abort, even those already read in the same chunk.
        if (signal?.aborted) break;
        let message: JsonMessage;
        try {
          message = JSON.parse(text) as JsonMessage;
        } catch (error) {
          throw new DockerError(
            'AR_DOCKER_ENGINE_ERROR',
            `The engine's progress stream for ${operation} of ${subject} holds text that is not JSON (${JSON.stringify(text.slice(0, 200))}). Check that the engine address points at a Docker-compatible API.`,
            { cause: error },
          );
        }
        for (const event of interpretMessage(message, operation, subject)) {
          if (event.type === 'pushed') {
            digest = event.digest;
            size = event.size;
          } else if (event.type === 'status') {
            statuses.push(event.status);
            const match = DIGEST_LINE.exec(event.status);
            if (match && digest === undefined) digest = match[1];
          } else if (event.type === 'output') {
            const match = LOADED.exec(event.text);
            if (match?.[1]) loaded.push(match[1]);
          }
          if (!signal?.aborted) onProgress?.(event);
        }
      }
    }
  } catch (error) {
    if (signal?.aborted) throw abortedError(operation, subject, error);
    if (error instanceof DockerError) throw error;
    throw new DockerError(
      'AR_DOCKER_ENGINE_UNREACHABLE',
      `The connection to the engine broke during ${operation} of ${subject} (${(error as Error).message}); the engine may have stopped. Run it again once \`docker version\` answers.`,
      { cause: error, retryable: true },
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw abortedError(operation, subject);
  if (splitter.pending !== '')
    throw new DockerError(
      'AR_DOCKER_ENGINE_UNREACHABLE',
      `The engine's answer to ${operation} of ${subject} ended in the middle of a message: the connection was cut, so the ${operation} may not have finished. Run it again.`,
      { retryable: true },
    );
  return { digest, size, loaded, statuses };
}
