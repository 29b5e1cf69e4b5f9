export { tokenAdminClient } from './admin-client.js';
export {
  ACCESS_TOKEN_USERNAME,
  type AccessTokenSpec,
  type AllowedCredential,
  type BasicCredentials,
  type CredentialSpec,
  type CredentialSpecBase,
  type CredentialSummary,
  classifyLogin,
  generateServiceAccountKey,
  JSON_KEY_BASE64_USERNAME,
  JSON_KEY_USERNAME,
  type Login,
  parseBasicAuthorization,
  parseServiceAccountKey,
  type ServiceAccountKey,
  type ServiceAccountKeySpec,
} from './credentials.js';
export {
  type StandInCredentialHelper,
  type StandInCredentialHelperOptions,
  writeStandInCredentialHelper,
} from './docker-config.js';
export { E2E_ENV_VARIABLES, E2E_PODMAN_HOST_VARIABLE, type E2eEnv, E2eEnvError, e2eEnv } from './e2e-env.js';
export {
  type Fault,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRule,
  type ProxiedExchange,
  startFaultProxy,
} from './fault-proxy.js';
export { describeWithGcloud, gcloudInstalled } from './gcloud.js';
export {
  buildImageArchive,
  type ImageArchive,
  type ImageArchiveOptions,
  packTar,
  sha256Digest,
  type TarFile,
} from './image-archive.js';
export {
  type BuiltTreeImage,
  pushImageTree,
  standardTree,
  type TreeImageSpec,
  type TreePushClient,
} from './image-tree.js';
export {
  type BuiltOciImage,
  type LayoutPlatform,
  type OciLayoutImageOptions,
  writeOciLayoutImage,
} from './oci-layout-builder.js';
export { type PlainRegistry, startPlainRegistry } from './plain-registry.js';
export { CommandError, type RunOptions, type RunResult, runChecked, runCommand } from './run.js';
export {
  type AccessRestriction,
  formatScope,
  grantScopes,
  parseScopes,
  type ResourceScope,
} from './scope.js';
export {
  createSigningCertificate,
  type LoadedSigning,
  libtrustKeyId,
  loadSigning,
  type SigningCertificateOptions,
  type SigningMaterial,
} from './signing.js';
export {
  type RegistryTokenClaims,
  type SignedRegistryToken,
  signRegistryToken,
  startTokenServer,
  type TokenRequestRecord,
  type TokenServer,
  type TokenServerControl,
  type TokenServerOptions,
  type TokenServerSettings,
} from './token-server.js';
export {
  createOidcIssuer,
  type ExternalAccountCredentials,
  externalAccountCredentials,
  type OidcIssuer,
} from './workload-identity.js';
