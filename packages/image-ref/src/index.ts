export { type AnyImageRef, completeAnyImage, tryCompleteAnyImage } from './any-image.js';
export {
  isValidArProjectId,
  isValidArRepositoryId,
  projectIdToPath,
  projectPathToId,
} from './ar-ids.js';
export {
  type ArEndpoint,
  type ArImageRef,
  type ArReference,
  type ArRepositoryRef,
  arLocationHost,
  arRegistryHost,
  arRepositoryPath,
  arRepositoryResourceName,
  formatArReference,
  parseArImage,
  parseArReference,
  parseArRepository,
  tryParseArImage,
  tryParseArReference,
  tryParseArRepository,
} from './artifact-registry.js';
export {
  type ArDefaults,
  completeArImage,
  completeArRepository,
  tryCompleteArImage,
  tryCompleteArRepository,
} from './defaults.js';
export {
  type DockerReference,
  formatReference,
  parseName,
  parseReference,
  trimNamed,
  tryParseName,
  tryParseReference,
  withDigest,
  withTag,
} from './docker-reference.js';
export {
  ArImageRefError,
  IMAGE_REF_ERROR_CODES,
  IMAGE_REF_ERROR_KINDS,
  type ImageRefErrorCode,
  type ImageRefErrorDetails,
  type ImageRefResult,
  MAX_REFERENCE_LENGTH,
} from './errors.js';
export {
  isIdentifier,
  isValidDigest,
  isValidDomain,
  isValidTag,
  MAX_PATH_LENGTH,
  MAX_TAG_LENGTH,
} from './grammar.js';
export { classifyRegistryHost, isGoogleRegistryHost, type RegistryHostInfo } from './hosts.js';
export {
  type ArImageRefWarning,
  type ArImageRefWarningCode,
  isKnownArLocation,
  suggestArLocation,
} from './location-hints.js';
export {
  AR_MULTI_REGIONS,
  AR_REGIONAL_ENDPOINT_LOCATIONS,
  AR_REGIONS,
  CONTAINER_REGISTRY_HOSTS,
  type ContainerRegistryHost,
} from './locations.js';
export {
  type AnyReference,
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  explicitDomain,
  familiarize,
  familiarName,
  familiarString,
  parseAnyReference,
  parseCanonicalReference,
  parseDockerRef,
  parseNormalizedNamed,
  tryParseAnyReference,
  tryParseCanonicalReference,
  tryParseDockerRef,
  tryParseNormalizedNamed,
} from './normalize.js';
export { parseArResourceName, tryParseArResourceName } from './resource-names.js';
