import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '@ar/emulator';
import { PROJECT, READER, startFixture, WRITER } from '@ar/emulator/testing';
import { RegistryClient, type RegistryClientOptions } from '../../src/client.js';
import type { CredentialProvider } from '../../src/http/auth.js';

export { PROJECT, READER, WRITER };

/** An in-process emulator (a local Artifact Registry on loopback) with a writer and a reader. */
export interface EmulatorFixture {
  readonly emulator: Emulator;
  readonly host: string;
  readonly dir: string;
  writer: CredentialProvider;
  reader: CredentialProvider;
  client(credentials: CredentialProvider | undefined, options?: RegistryClientOptions): RegistryClient;
  stop(): Promise<void>;
}

export async function startEmulatorFixture(): Promise<EmulatorFixture> {
  const { emulator } = await startFixture();
  const dir = await mkdtemp(join(tmpdir(), 'ar-registry-test-'));
  const clients: RegistryClient[] = [];
  // Each call mints afresh, as @ar/auth does on forceRefresh; the emulator accepts oauth2accesstoken.
  const tokenFor =
    (principal: string): CredentialProvider =>
    async () => ({
      username: 'oauth2accesstoken',
      password: emulator.mintAccessToken(principal).accessToken,
    });
  return {
    emulator,
    host: emulator.host(),
    dir,
    writer: tokenFor(`serviceAccount:${WRITER}`),
    reader: tokenFor(`serviceAccount:${READER}`),
    client(credentials, options = {}) {
      const client = new RegistryClient({
        credentials,
        retry: { minDelayMs: 1, maxDelayMs: 20 },
        ...options,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
