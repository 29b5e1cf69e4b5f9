/**
 * `@ar/core/engine`: the engine flows (`docker tag` / `push` / `pull`, by the engine or through
 * the registry client) over images of any registry, for callers that wire their own engine,
 * registry client and credentials. The facade's `client.engine` is these flows with Artifact
 * Registry names completed from the config. Importing this entry loads dockerode.
 */
export {
  type EngineOps,
  type EngineOpsDeps,
  type EnginePullOptions,
  type EnginePullResult,
  type EnginePushOptions,
  type EnginePushResult,
  engineOps,
  type PullVia,
  type PushVia,
} from './engine-ops.js';
export { fromEngineProgress, fromRegistryProgress } from './progress.js';
