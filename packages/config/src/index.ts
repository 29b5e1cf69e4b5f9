export { envBindings, GAR_CONFIG, GAR_PROFILE } from './env.js';
export {
  ArConfigError,
  CONFIG_ERROR_KINDS,
  type ConfigErrorCode,
  type ConfigIssue,
  type ConfigIssueKind,
  formatIssue,
} from './errors.js';
export { configJsonSchema } from './json-schema.js';
export { parseJsonObject } from './json-text.js';
export { type ConfigFileLocation, locateConfigFile } from './locate.js';
export { type ConfigResolution, type ResolveConfigOptions, resolveConfig } from './resolve.js';
export {
  type ArConfigFile,
  type ArResolvedConfig,
  type ArUserConfig,
  arConfigSchema,
  CLOUD_PLATFORM_SCOPE,
  type RegistrySettings,
  TOKEN_SOURCES,
  type TokenSource,
} from './schema.js';
