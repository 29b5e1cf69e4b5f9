export {
  ArCleanupPolicyError,
  CLEANUP_POLICY_ERROR_CODES,
  CLEANUP_POLICY_ERROR_KINDS,
  type CleanupPlan,
  type CleanupPolicy,
  type CleanupPolicyErrorCode,
  formatDuration,
  type PlannedVersion,
  type PruneShorthands,
  parsePolicyFile,
  planCleanup,
  policiesFromFile,
  policiesFromRest,
  policiesFromShorthands,
  policiesToFile,
  type VersionInfo,
} from '@ar/cleanup-policy';
export type { ReadCacheOptions } from './cache/upstream-reads.js';
export {
  type ArClient,
  type ArPlugin,
  type ClientOptions,
  createClient,
  type LocationInput,
  type ReadRequestOptions,
} from './client.js';
export type {
  RepositoryPrefix,
  TreeCopyOptions,
  TreeCopyResult,
  TreeImageReport,
} from './copy-tree/index.js';
export type {
  EnginePullOptions,
  EnginePullResult,
  EnginePushOptions,
  EnginePushResult,
  PullVia,
  PushVia,
} from './engine-ops.js';
export { ArCoreError, CORE_ERROR_KINDS, type CoreErrorCode } from './errors.js';
export type { HealthCheck, HealthOptions, HealthReport } from './health.js';
export type {
  CopiedImage,
  CopyResult,
  ImageDescription,
  ImageResolution,
  TransferOptions,
} from './image-ops.js';
export type { ImageSummary } from './images.js';
export {
  arImageLocation,
  type ImageLocation,
  isLocalLocation,
  registryImageLocation,
} from './locations.js';
export type { LayerState, TransferProgress, TransferProgressListener } from './progress.js';
export {
  executePrune,
  type PruneOptions,
  type PruneReportRow,
  type PruneResult,
  type PruneTarget,
  pruneReport,
} from './prune.js';
export {
  type CreateRepositoryOptions,
  type Repository,
  type RepositoryMode,
  type UpstreamPolicy,
  upstreamsByPriority,
} from './repositories.js';
