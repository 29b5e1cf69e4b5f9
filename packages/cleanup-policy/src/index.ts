export { formatDuration, formatRestDuration, parseDuration } from './duration.js';
export {
  ArCleanupPolicyError,
  CLEANUP_POLICY_ERROR_CODES,
  CLEANUP_POLICY_ERROR_KINDS,
  type CleanupPolicyErrorCode,
  isCleanupPolicyError,
} from './errors.js';
export { type PruneShorthands, policiesFromShorthands } from './options.js';
export {
  type CleanupPlan,
  type PlannedVersion,
  type PlanOptions,
  type Protection,
  planCleanup,
  type VersionInfo,
} from './plan.js';
export {
  type CleanupCondition,
  type CleanupPolicy,
  type MostRecentVersions,
  type PolicyAction,
  type PolicyFileEntry,
  parsePolicyFile,
  policiesFromFile,
  policiesFromRest,
  policiesToFile,
  policiesToRest,
  type TagState,
} from './schema.js';
