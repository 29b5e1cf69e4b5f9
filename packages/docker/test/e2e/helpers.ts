import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type ArResolvedConfig, type ArUserConfig, resolveConfig } from '@ar/config';
import { parseManifest, RegistryClient } from '@ar/registry';
import { type AllowedCredential, buildImageArchive, type ImageArchive } from '@ar/test-support';
import type { DockerClient } from '../../src/index.js';

/**
 * A resolved config that reads nothing from this machine (no environment, no config file):
 * only what the test says, with the Docker config dir under the test's temp dir.
 */
export function testConfig(home: string, overrides: ArUserConfig): ArResolvedConfig {
  return resolveConfig({ env: {}, configFile: false, homeDir: home, cwd: home, overrides }).config;
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

/** A fresh random image loaded into the engine through the adapter; returns its archive. */
export async function loadFreshImage(client: DockerClient, randomBytes = 64 * 1024): Promise<ImageArchive> {
  const archive = await buildImageArchive({ randomBytes });
  await client.load(Readable.from([archive.tar]));
  return archive;
}

/** What the registry itself holds for a reference: read with @ar/registry, not through the engine. */
/** Reads the registry directly, with `credential`, for checks. */
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

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
