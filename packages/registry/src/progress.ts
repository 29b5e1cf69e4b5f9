/** Per-blob progress, for one bar per layer. `bytes` restarts at 0 when a transfer restarts. */
export interface BlobProgress {
  readonly type: 'blob';
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly bytes: number;
  readonly state: 'waiting' | 'transferring' | 'exists' | 'mounted' | 'done' | 'failed';
}

/** Per-image progress: totals over its blobs. */
export interface ImageProgress {
  readonly type: 'image';
  /** The root manifest digest. */
  readonly digest: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly blobsDone: number;
  readonly blobsTotal: number;
  readonly state: 'transferring' | 'manifests' | 'done' | 'failed';
}

export type ProgressEvent = BlobProgress | ImageProgress;

export type ProgressListener = (event: ProgressEvent) => void;
