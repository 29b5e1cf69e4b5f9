export {
  defaultSockets,
  type EngineConnection,
  type EngineTls,
  type ResolveConnectionOptions,
  resolveEngineConnection,
} from './connection.js';
export { DockerodeEngine } from './dockerode-engine.js';
export type {
  EngineImage,
  EngineImageDetails,
  EngineInfo,
  EnginePullResult,
  EnginePushResult,
  ImageEngine,
  ListImagesOptions,
  LoadResult,
  OperationOptions,
  PullImageOptions,
  RemoveImageOptions,
  TransferOptions,
} from './engine.js';
export { abortedError } from './engine-errors.js';
export {
  DOCKER_ERROR_CODES,
  DOCKER_ERROR_KINDS,
  DockerError,
  type DockerErrorCode,
  type DockerErrorDetails,
} from './errors.js';
export {
  type EngineProgressEvent,
  followProgress,
  type LayerPhase,
  layerPhase,
  type ProgressListener,
  type ProgressSummary,
} from './progress.js';
export {
  encodeRegistryAuth,
  engineServerAddress,
  type RegistryAuth,
  registryAuthFor,
} from './registry-auth.js';
