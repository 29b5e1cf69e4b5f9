export {
  type Auth,
  type AuthDescription,
  type AuthOptions,
  builtinSources,
  type CachedTokenFile,
  createAuth,
} from './auth.js';
export { TokenCache, type TokenCacheOptions } from './cache/token-cache.js';
export { type CachedToken, isFreshToken, readTokenFile } from './cache/token-file.js';
export { writePrivateFile } from './cache/write-private-file.js';
export type { AccessToken, RegistryCredential } from './credential.js';
export {
  type ConfigureDockerOptions,
  type ConfigureDockerResult,
  configureDocker,
} from './docker/configure-docker.js';
export { getFromCredentialHelper } from './docker/credential-helper-client.js';
export {
  type DockerConfigFile,
  type DockerConfigJson,
  dockerConfigPath,
  lookupDockerCredential,
  readDockerConfig,
} from './docker/docker-config.js';
export { ArAuthError, AUTH_ERROR_KINDS, type AuthErrorCode, sourceAbsent } from './errors.js';
export { allArtifactRegistryHosts, isGoogleRegistry, normalizeRegistryHost } from './hosts.js';
export type { DetectedSource, FetchedToken, SourceContext, TokenSource } from './source.js';
export { accessTokenSource } from './sources/access-token.js';
export { adcSource } from './sources/adc.js';
export { gcloudSource } from './sources/gcloud.js';
export { metadataSource } from './sources/metadata.js';
export { serviceAccountKeySource } from './sources/service-account-key.js';
