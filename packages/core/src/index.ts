export { type ArClient, type ArPlugin, type ClientOptions, createClient } from './client.js';
export { ArCoreError, CORE_ERROR_KINDS, type CoreErrorCode } from './errors.js';
export type { ImageDescription, ImageResolution, TransferOptions } from './image-ops.js';
export type { ImageSummary } from './images.js';
export {
  type CreateRepositoryOptions,
  type Repository,
  type RepositoryMode,
  type UpstreamPolicy,
  upstreamsByPriority,
} from './repositories.js';
