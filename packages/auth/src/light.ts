// The `@ar/auth/light` entry point: what a hot path needs to answer from the token cache, loading
// neither google-auth-library nor the provider chain (the credential helper's warm `get`).
export { type CachedToken, isFreshToken, readPrivateFile, readTokenFile } from './cache/token-file.js';
export { isGoogleRegistry, normalizeRegistryHost } from './hosts.js';
