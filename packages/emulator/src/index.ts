export { PERMISSIONS, ROLE_PERMISSIONS } from './auth/iam.js';
export type { AuthorizedUserFile, MintedToken, ServiceAccountKeyFile } from './auth/identity.js';
export type { WorkloadIdentityProviderSpec } from './auth/workload-identity.js';
export type { CleanupRun } from './cleanup/cleanup-runner.js';
export {
  type EmulatorClientConfig,
  type EmulatorConnection,
  emulatorClientConfig,
  emulatorConnection,
  formatBanner,
} from './connection.js';
export { type Emulator, type EmulatorOptions, startEmulator } from './emulator.js';
export {
  EMULATOR_ERROR_CODES,
  EMULATOR_ERROR_KINDS,
  EmulatorError,
  type EmulatorErrorCode,
} from './errors.js';
export type { MetadataIdentity } from './google/metadata-server.js';
export type { RequestLogLine } from './http/server.js';
export { UPSTREAM_HEADER } from './registry/registry-api.js';
export {
  loadSeed,
  type Seed,
  type SeedBinding,
  type SeedProject,
  type SeedRepository,
  type SeedResult,
  type SeedServiceAccount,
  type SeedUser,
  seedProblems,
} from './seed.js';
export { runStartCommand, type StartCommandIo, startUsage } from './start-command.js';
