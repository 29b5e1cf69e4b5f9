/** What the engine needs to log in to a registry for one push or pull. */
export type RegistryAuth =
  | { readonly username: string; readonly password: string; readonly serverAddress: string }
  /** A Docker identity token (OAuth2 refresh token), as `docker login` stores for some registries. */
  | { readonly identityToken: string; readonly serverAddress: string };

/** Docker's convention (also @ar/registry's): this username means the password is an identity token. */
const IDENTITY_TOKEN_USERNAME = '<token>';

/** Builds the engine's auth from a `{username, password}` credential (as @ar/auth gives it). */
export function registryAuthFor(
  serverAddress: string,
  credential: { username: string; password: string },
): RegistryAuth {
  return credential.username === IDENTITY_TOKEN_USERNAME
    ? { identityToken: credential.password, serverAddress }
    : { username: credential.username, password: credential.password, serverAddress };
}

/**
 * The `X-Registry-Auth` header: base64url of the engine's AuthConfig JSON, as the Docker API
 * documents. Padding is kept: dockerd 20.10 and Podman decode with padded base64url.
 */
export function encodeRegistryAuth(auth: RegistryAuth): string {
  const json =
    'identityToken' in auth
      ? { identitytoken: auth.identityToken, serveraddress: auth.serverAddress }
      : { username: auth.username, password: auth.password, serveraddress: auth.serverAddress };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * The server address the engine expects in AuthConfig for a registry host: Docker Hub's is
 * its legacy index URL, every other registry's is the host itself.
 */
export function engineServerAddress(registryHost: string): string {
  return registryHost === 'docker.io' ||
    registryHost === 'index.docker.io' ||
    registryHost === 'registry-1.docker.io'
    ? 'https://index.docker.io/v1/'
    : registryHost;
}
