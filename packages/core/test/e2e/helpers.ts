import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createAuth } from '@ar/auth';
import { type ArResolvedConfig, type ArUserConfig, resolveConfig } from '@ar/config';
import { DockerodeEngine, type ImageEngine, resolveEngineConnection } from '@ar/docker';
import { parseManifest, RegistryClient } from '@ar/registry';
import { type AllowedCredential, buildImageArchive, type ImageArchive } from '@ar/test-support';
import { type EngineOps, engineOps } from '../../src/engine-ops.js';

/**
 * A resolved config that reads nothing from this machine (no environment, no config file):
 * only what the test says, with the Docker config dir under the test's temp dir.
 */
export function testConfig(home: string, overrides: ArUserConfig): ArResolvedConfig {
  return resolveConfig({ env: {}, configFile: false, homeDir: home, cwd: home, overrides }).config;
}

/** The engine flows wired as the facade wires them: the config's engine, registry client and auth chain. */
export function engineFlows(config: ArResolvedConfig, tempDir: string) {
  const auth = createAuth(config);
  const registry = RegistryClient.fromConfig(config, { credentials: auth.registryCredential });
  const engine = new DockerodeEngine(resolveEngineConnection(config.docker));
  const ops: EngineOps = engineOps({ engine, registry, credentials: auth.registryCredential, tempDir });
  return {
    ops,
    engine,
    close: async () => {
      await Promise.all([registry.close(), engine.close()]);
    },
  };
}

/** Writes a Docker `config.json` whose `auths` hold `credential` for `registry`, as `docker login` would. */
export async function writeDockerLogin(
  configDir: string,
  registry: string,
  credential: Pick<AllowedCredential, 'username' | 'password'>,
): Promise<void> {
  await mkdir(configDir, { recursive: true });
  const auth = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
  await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth } } }), {
    mode: 0o600,
  });
}

/** A fresh random image loaded into the engine; returns its archive. */
export async function loadFreshImage(engine: ImageEngine, randomBytes = 64 * 1024): Promise<ImageArchive> {
  const archive = await buildImageArchive({ randomBytes });
  await engine.loadImage(Readable.from([archive.tar]));
  return archive;
}

/** Reads the registry directly, with `credential`, for checks: not through the flows under test. */
async function withRegistry<T>(
  config: ArResolvedConfig,
  credential: Pick<AllowedCredential, 'username' | 'password'>,
  read: (client: RegistryClient) => Promise<T>,
): Promise<T> {
  const client = RegistryClient.fromConfig(config, {
    credentials: async () => ({ username: credential.username, password: credential.password }),
  });
  try {
    return await read(client);
  } finally {
    await client.close();
  }
}

export function registryDigest(
  config: ArResolvedConfig,
  credential: Pick<AllowedCredential, 'username' | 'password'>,
  reference: string,
): Promise<string | undefined> {
  return withRegistry(config, credential, async (client) => (await client.headManifest(reference))?.digest);
}

/** The media types of the layers of the image manifest `reference` names. */
export function registryLayerTypes(
  config: ArResolvedConfig,
  credential: Pick<AllowedCredential, 'username' | 'password'>,
  reference: string,
): Promise<string[]> {
  return withRegistry(config, credential, async (client) => {
    const parsed = parseManifest(await client.getManifest(reference));
    return parsed.kind === 'image' ? parsed.manifest.layers.map((layer) => layer.mediaType) : [];
  });
}
