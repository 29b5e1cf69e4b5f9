export {
  type BlobPushResult,
  type BlobSource,
  type OpenBlobOptions,
  type PushBlobOptions,
  RegistryClient,
  type RegistryClientOptions,
  type RequestOptions,
  registryClientOptionsFromConfig,
} from './client.js';
export { type CopiedImage, type CopyOptions, type CopyResult, copy, copyImage, pull, push } from './copy.js';
export { ByteCounter, DigestVerifier, isSha256Digest, sha256 } from './digest.js';
export { type RegistryConfig, type RegistryEndpointSettings, registryBaseUrl } from './endpoints.js';
export {
  REGISTRY_ERROR_CODES,
  REGISTRY_ERROR_KINDS,
  RegistryError,
  type RegistryErrorCode,
  type RegistryErrorDetails,
} from './errors.js';
export { type CredentialProvider, IDENTITY_TOKEN_USERNAME, type RegistryCredential } from './http/auth.js';
export { type Challenge, parseChallenges } from './http/challenge.js';
export type { HostPolicy } from './http/host-policy.js';
export { type RequestLogEvent, type RequestLogger, redactUrl } from './http/log.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http/retry.js';
export { DockerArchiveSink, openDockerArchive } from './image/docker-archive.js';
export { DirectoryTree, type FileTree } from './image/file-tree.js';
export { layoutTags, OciLayoutSink, OciLayoutSource, REF_NAME_ANNOTATION } from './image/oci-layout.js';
export { RegistryImageSink, RegistryImageSource } from './image/registry-image.js';
export { TarTree } from './image/tar-tree.js';
export type {
  BlobWriteOptions,
  BlobWriteResult,
  ImageSink,
  ImageSource,
  ManifestWriteOptions,
  SourceReadOptions,
} from './image/types.js';
export type { ImageSummary, TagListing } from './listing.js';
export { type ImageLocation, isLocalLocation, parseImageLocation } from './location.js';
export {
  type Descriptor,
  formatPlatform,
  hostPlatform,
  type ImageIndex,
  type ImageManifest,
  MAX_MANIFEST_BYTES,
  type ManifestBlob,
  manifestBlob,
  type ParsedManifest,
  type Platform,
  parseManifest,
  parsePlatform,
  selectPlatform,
} from './manifest.js';
export { MediaType } from './media-types.js';
export type { BlobProgress, ImageProgress, ProgressEvent, ProgressListener } from './progress.js';
export {
  formatImageRef,
  type ImageRef,
  parseImageRef,
  parseRepositoryRef,
  type RepositoryRef,
} from './reference.js';
